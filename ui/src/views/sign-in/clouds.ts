// The clouds a person can pick when connecting their organization. The values are entra-client's
// `Cloud` names (serde), the labels plain words. Both US Government clouds sign in at the same
// address but have different Microsoft Graph addresses (Microsoft Graph "National cloud
// deployments"), so DoD is its own choice.
export const namedClouds: ReadonlyArray<{ value: string; label: string }> = [
  { value: "global", label: "Microsoft Entra (global, also GCC)" },
  { value: "usGovernment", label: "US Government (GCC High)" },
  { value: "usGovernmentDod", label: "US Government (DoD)" },
  { value: "china", label: "China (21Vianet)" },
];

// Other sign-in and Graph addresses come only from the settings file IT deploys (the desk refuses
// them from the form, code custom_cloud_not_deployed): the choice is offered only when that file
// names one, and its addresses are shown, not typed.
const deployedCustom = { value: "custom", label: "Your organization's own cloud (from the settings file)" };

export function cloudChoicesFor(deployedCloud: string | null | undefined): ReadonlyArray<{ value: string; label: string }> {
  return deployedCloud === "custom" ? [...namedClouds, deployedCustom] : namedClouds;
}
