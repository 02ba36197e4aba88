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
//!
//! | Object connections (beta) | yes | not documented | not documented | not documented | entra-docs `identity/app-provisioning/manage-object-connections.md` |
//!
//! The object connections page names only `https://graph.microsoft.com/beta` and has no national
//! cloud table (there is no Graph API reference page for it yet). Docs silent → the cautious
//! reading: offered in the global service only; elsewhere the desk recommends a restart instead
//! and says why. A custom cloud (the training tenant) answers for the cloud it stands in for.

use crate::cloud::{Cloud, NationalCloud};

/// A Graph feature that Microsoft does not document in every cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloudFeature {
    /// `POST …/synchronization/jobs/{id}/provisionOnDemand`.
    ProvisionOnDemand,
    /// `GET /auditLogs/provisioning`.
    ProvisioningLogs,
    /// `GET|DELETE /beta/…/synchronization/jobs/{id}/objectConnections('{id}')` (re-link).
    ObjectConnections,
}

impl CloudFeature {
    /// The feature in plain words, as the desk names it (UX.md's words).
    pub fn plain_name(self) -> &'static str {
        match self {
            CloudFeature::ProvisionOnDemand => "sync now for one person (provision on demand)",
            CloudFeature::ProvisioningLogs => "the provisioning logs",
            CloudFeature::ObjectConnections => {
                "re-linking one person (the object connections preview API)"
            }
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
            CloudFeature::ObjectConnections => {
                "Fix the person's data or the app's matching first, then restart sync for the app from scratch (Full reset): it makes Entra forget every link and match everyone again."
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
        (CloudFeature::ObjectConnections, NationalCloud::Global) => true,
        (
            CloudFeature::ObjectConnections,
            NationalCloud::UsGovernment | NationalCloud::UsGovernmentDod | NationalCloud::China,
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

    /// The object connections page documents only graph.microsoft.com/beta: the cautious reading.
    #[test]
    fn object_connections_are_taken_as_global_only() {
        assert!(Cloud::Global.offers(CloudFeature::ObjectConnections));
        for cloud in [Cloud::UsGovernment, Cloud::UsGovernmentDod, Cloud::China] {
            assert!(!cloud.offers(CloudFeature::ObjectConnections), "{cloud:?}");
        }
        let custom = Cloud::custom("http://127.0.0.1:9", "http://127.0.0.1:9").unwrap();
        assert!(custom.offers(CloudFeature::ObjectConnections));
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
