// The clouds a person can pick when connecting their organization. The values are entra-client's
// `Cloud` names (serde), the labels plain words. Both US Government clouds sign in at the same
// address but have different Microsoft Graph addresses (Microsoft Graph "National cloud
// deployments"), so DoD is its own choice.
export const cloudChoices: ReadonlyArray<{ value: string; label: string }> = [
  { value: "global", label: "Microsoft Entra (global, also GCC)" },
  { value: "usGovernment", label: "US Government (GCC High)" },
  { value: "usGovernmentDod", label: "US Government (DoD)" },
  { value: "china", label: "China (21Vianet)" },
  { value: "custom", label: "Other (give the addresses)" },
];
