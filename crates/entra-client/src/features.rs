//! Which of the features the desk uses Microsoft documents in which cloud.
//!
//! Each Graph API page carries a "National cloud availability" table (Global service, US
//! Government L4, US Government L5 (DOD), China operated by 21Vianet). For the two features
//! that are not everywhere:
//!
//! | Feature | Global | US Gov L4 | US Gov L5 (DoD) | 21Vianet | Page |
//! |---|---|---|---|---|---|
//! | Provision on demand | yes | yes | yes | no | graph-docs `api-reference/v1.0/api/synchronization-synchronizationjob-provisionondemand.md` |
//! | Provisioning logs | yes | yes | yes | no | graph-docs `api-reference/v1.0/api/provisioningobjectsummary-list.md` |
//!
//! Both pages include `api-reference/includes/global-us.md`, whose table ticks the global
//! service and both US Government clouds and crosses out 21Vianet (graph-api.md §4, §11.5; one
//! localized Learn copy of the logs page says the same). Microsoft documents no answer for
//! calling them in 21Vianet, so the desk does not call them there: it says the feature is not
//! offered and what to do instead.

use crate::cloud::{Cloud, NationalCloud};

/// A Graph feature that Microsoft does not document in every cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloudFeature {
    /// `POST …/synchronization/jobs/{id}/provisionOnDemand`.
    ProvisionOnDemand,
    /// `GET /auditLogs/provisioning`.
    ProvisioningLogs,
}

impl CloudFeature {
    /// The feature in plain words, as the desk names it (UX.md's words).
    pub fn plain_name(self) -> &'static str {
        match self {
            CloudFeature::ProvisionOnDemand => "sync now for one person (provision on demand)",
            CloudFeature::ProvisioningLogs => "the provisioning logs",
        }
    }

    /// Where to look instead, in plain words.
    pub fn instead(self) -> &'static str {
        match self {
            CloudFeature::ProvisionOnDemand => {
                "The app picks up the change at its next sync round (about every 40 minutes); check the person's account in the app after that."
            }
            CloudFeature::ProvisioningLogs => {
                "Check the person's account in the app itself, or look at the app's provisioning status in the Microsoft Entra admin center of your cloud."
            }
        }
    }
}

/// True when Microsoft documents `feature` in `cloud` (the table above).
pub fn documented_in(feature: CloudFeature, cloud: NationalCloud) -> bool {
    match (feature, cloud) {
        (
            CloudFeature::ProvisionOnDemand | CloudFeature::ProvisioningLogs,
            NationalCloud::Global | NationalCloud::UsGovernment | NationalCloud::UsGovernmentDod,
        ) => true,
        (
            CloudFeature::ProvisionOnDemand | CloudFeature::ProvisioningLogs,
            NationalCloud::China,
        ) => false,
    }
}

impl Cloud {
    /// True when Microsoft documents `feature` in this cloud; a custom cloud answers for the
    /// cloud it stands in for (the global service's features when it names none).
    pub fn offers(&self, feature: CloudFeature) -> bool {
        documented_in(feature, self.national())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provision_on_demand_and_logs_are_documented_everywhere_but_21vianet() {
        for feature in [
            CloudFeature::ProvisionOnDemand,
            CloudFeature::ProvisioningLogs,
        ] {
            assert!(Cloud::Global.offers(feature));
            assert!(Cloud::UsGovernment.offers(feature));
            assert!(Cloud::UsGovernmentDod.offers(feature));
            assert!(!Cloud::China.offers(feature), "{feature:?}");
        }
    }

    #[test]
    fn a_custom_cloud_has_the_features_of_the_cloud_it_stands_in_for() {
        let custom = Cloud::custom("http://127.0.0.1:9", "http://127.0.0.1:9").unwrap();
        assert!(custom.offers(CloudFeature::ProvisioningLogs));
        let china = custom.standing_in_for(NationalCloud::China);
        assert!(!china.offers(CloudFeature::ProvisioningLogs));
        assert!(!china.offers(CloudFeature::ProvisionOnDemand));
    }
}
