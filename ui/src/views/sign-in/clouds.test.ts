import { describe, expect, it } from "vitest";
import { cloudChoicesFor, namedClouds } from "./clouds";

describe("the cloud choices", () => {
  it("offer both US Government clouds and keep the existing names", () => {
    expect(namedClouds.map((c) => c.value)).toEqual(["global", "usGovernment", "usGovernmentDod", "china"]);
    expect(namedClouds.find((c) => c.value === "usGovernmentDod")?.label).toBe("US Government (DoD)");
  });

  it("offer other addresses only when the deployed settings file names them", () => {
    expect(cloudChoicesFor(null).map((c) => c.value)).not.toContain("custom");
    expect(cloudChoicesFor("global").map((c) => c.value)).not.toContain("custom");
    expect(cloudChoicesFor("custom").map((c) => c.value)).toEqual(["global", "usGovernment", "usGovernmentDod", "china", "custom"]);
  });
});
