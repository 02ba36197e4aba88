import { describe, expect, it } from "vitest";
import { defaultDemoAccount, roleWords } from "./demoAccounts";

const account = (upn: string, roles: string[]) => ({ userPrincipalName: upn, displayName: upn, roles, description: "" });

describe("the demo accounts", () => {
  it("preselect the helpdesk operator", () => {
    const accounts = [account("admin", ["Global Administrator"]), account("helpdesk", ["User Administrator"])];
    expect(defaultDemoAccount(accounts)?.userPrincipalName).toBe("helpdesk");
    expect(defaultDemoAccount([account("x", [])])?.userPrincipalName).toBe("x");
    expect(defaultDemoAccount([])).toBeUndefined();
  });

  it("name the roles in words", () => {
    expect(roleWords(account("a", []))).toBe("no admin role");
    expect(roleWords(account("a", ["Reports Reader"]))).toBe("Reports Reader");
  });
});
