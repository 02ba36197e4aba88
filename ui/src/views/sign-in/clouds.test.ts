import { describe, expect, it } from "vitest";
import { cloudChoices } from "./clouds";

describe("the cloud choices", () => {
  it("offer both US Government clouds and keep the existing names", () => {
    expect(cloudChoices.map((c) => c.value)).toEqual(["global", "usGovernment", "usGovernmentDod", "china", "custom"]);
    expect(cloudChoices.find((c) => c.value === "usGovernmentDod")?.label).toBe("US Government (DoD)");
  });
});
