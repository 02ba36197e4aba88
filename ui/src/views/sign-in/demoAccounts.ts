import type { TrainingDemoAccount } from "../../lib/bindings/TrainingDemoAccount";

/** The helpdesk operator is who most trainees practise as; fall back to the first account. */
export function defaultDemoAccount(accounts: TrainingDemoAccount[]): TrainingDemoAccount | undefined {
  return accounts.find((a) => a.roles.includes("User Administrator")) ?? accounts[0];
}

/** "User Administrator", "no admin role". */
export function roleWords(account: TrainingDemoAccount): string {
  return account.roles.length > 0 ? account.roles.join(", ") : "no admin role";
}
