import { describe, expect, it } from "vitest";
import { foundByWords } from "./person";

describe("a person found by an address", () => {
  it("says which address found them", () => {
    expect(foundByWords({ kind: "alias", address: "smtp:t.binns@contoso-sales.example" })).toBe(
      "Found by alias smtp:t.binns@contoso-sales.example",
    );
    expect(foundByWords({ kind: "other_mail", address: "ivy.intern.home@example.net" })).toBe(
      "Found by other e-mail ivy.intern.home@example.net",
    );
    expect(foundByWords({ kind: "mail", address: "amelia.hart@contoso.com" })).toBe("Found by e-mail amelia.hart@contoso.com");
    expect(foundByWords(undefined)).toBeNull();
    expect(foundByWords(null)).toBeNull();
  });
});
