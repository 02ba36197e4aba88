//! Every structural property Graph v1.0 declares for `user` (with `directoryObject`'s and
//! `entity`'s): the names `$select` accepts. Taken from Microsoft's published CSDL
//! (microsoftgraph/msgraph-metadata `clean_v10_metadata/cleanMetadata.xml`, commit
//! f54f11b60956ea7b185ca0447b2b80805836ec7b); the training tenant stores only some of them, and a selected
//! property it does not store is answered as `null`, as Graph answers an unset one.

pub const DOCUMENTED: &[&str] = &[
    "id",
    "deletedDateTime",
    "aboutMe",
    "accountEnabled",
    "ageGroup",
    "assignedLicenses",
    "assignedPlans",
    "authorizationInfo",
    "birthday",
    "businessPhones",
    "city",
    "companyName",
    "consentProvidedForMinor",
    "country",
    "createdDateTime",
    "creationType",
    "customSecurityAttributes",
    "department",
    "deviceEnrollmentLimit",
    "displayName",
    "employeeHireDate",
    "employeeId",
    "employeeLeaveDateTime",
    "employeeOrgData",
    "employeeType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "faxNumber",
    "givenName",
    "hireDate",
    "identities",
    "identityParentId",
    "imAddresses",
    "interests",
    "isManagementRestricted",
    "isResourceAccount",
    "jobTitle",
    "lastPasswordChangeDateTime",
    "legalAgeGroupClassification",
    "licenseAssignmentStates",
    "mail",
    "mailboxSettings",
    "mailNickname",
    "mobilePhone",
    "mySite",
    "officeLocation",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "passwordProfile",
    "pastProjects",
    "postalCode",
    "preferredDataLocation",
    "preferredLanguage",
    "preferredName",
    "print",
    "provisionedPlans",
    "proxyAddresses",
    "responsibilities",
    "schools",
    "securityIdentifier",
    "serviceProvisioningErrors",
    "showInAddressList",
    "signInActivity",
    "signInSessionsValidFromDateTime",
    "skills",
    "state",
    "streetAddress",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
];

/// The collections among them: unset, Graph answers `[]` (the CSDL declares several of them
/// not nullable, e.g. `otherMails`, `proxyAddresses`, `assignedLicenses`).
const COLLECTIONS: &[&str] = &[
    "assignedLicenses",
    "assignedPlans",
    "businessPhones",
    "identities",
    "imAddresses",
    "interests",
    "licenseAssignmentStates",
    "onPremisesProvisioningErrors",
    "otherMails",
    "pastProjects",
    "provisionedPlans",
    "proxyAddresses",
    "responsibilities",
    "schools",
    "serviceProvisioningErrors",
    "skills",
];

/// What a selected property the tenant does not store is answered as, where `null` would
/// break the schema: collections are empty, and the two non-nullable dates are DateTimeOffset's
/// minimum (which Graph shows for an unset `birthday`). `deviceEnrollmentLimit` is not
/// nullable either; the user resource page lists 5 and 1000 as its allowed values and no
/// default, so 1000 here.
pub fn unset_value(name: &str) -> Option<serde_json::Value> {
    if COLLECTIONS.contains(&name) {
        return Some(serde_json::json!([]));
    }
    match name {
        "birthday" | "hireDate" => Some(serde_json::json!("0001-01-01T00:00:00Z")),
        "deviceEnrollmentLimit" => Some(serde_json::json!(1000)),
        _ => None,
    }
}
