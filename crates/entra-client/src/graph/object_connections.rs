//! Object connections (Microsoft Graph **beta**): the provisioning service's stored link between
//! one source object (an Entra user) and its account in the target app.
//!
//! entra-docs `docs/identity/app-provisioning/manage-object-connections.md` (graph-api.md §11.3):
//! `GET|DELETE /beta/servicePrincipals/{sp}/synchronization/jobs/{job}/objectConnections('{id}')`.
//! * The id is looked up "first … as a source identifier. If no connection is found, … as a
//!   target identifier".
//! * GET works whatever the job's state; `404` when no connection holds the id — and also when
//!   "the synchronization job … wasn't found, or the API isn't available for the job".
//! * DELETE needs the job `Paused` or `Disabled` (`schedule.state`), else `409 Conflict`; it is
//!   idempotent (`204` also when nothing was stored), so the page says to GET first.
//! * Listing or filtering the collection is refused (`400`); there is no create or update.
//! * Roles: Application Administrator, Cloud Application Administrator, Hybrid Identity
//!   Administrator (Cloud Sync); delegated `Synchronization.Read.All` (GET) /
//!   `Synchronization.ReadWrite.All` (DELETE).
//!
//! Beta only: "APIs in the beta endpoint are subject to change" — which is why the answers are
//! parsed leniently and unknown properties kept.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient::opt_string;
use super::odata;
use super::{ApiVersion, Graph, GraphRequest};
use crate::error::{Error, Result};
use crate::permissions::Operation;

/// `objectConnection`: one stored link (the page's "Understand object connections" table).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectConnection {
    /// The identifier the connection was retrieved with.
    #[serde(default, deserialize_with = "opt_string")]
    pub object_id: Option<String>,
    /// The object's identifier in the source system (for Entra → app: the Entra object id).
    #[serde(default, deserialize_with = "opt_string")]
    pub source_anchor: Option<String>,
    /// The identifier of the linked object in the target system (the app's SCIM `id`).
    #[serde(default, deserialize_with = "opt_string")]
    pub target_anchor: Option<String>,
    /// "The display name stored for the object, when available."
    #[serde(default, deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    /// `user` or `group` (the page's example is lower case).
    #[serde(default, deserialize_with = "opt_string")]
    pub object_type_name: Option<String>,
    /// Anything else a beta answer carries (`@odata.context`, later properties).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Graph {
    /// `…/jobs/{job}/objectConnections('{id}')` on the beta endpoint of the same cloud. The key is
    /// an OData string literal (quotes doubled) inside one path segment, so the id cannot change
    /// the path.
    fn object_connection_url(&self, sp: &str, job: &str, object_id: &str) -> url::Url {
        let key = format!("objectConnections({})", odata::quote(object_id));
        self.url(
            ApiVersion::Beta,
            &[
                "servicePrincipals",
                sp,
                "synchronization",
                "jobs",
                job,
                &key,
            ],
            &[],
        )
    }

    /// The stored link for `object_id` (a source id first, then a target id). `Ok(None)` is
    /// Microsoft's `404`: no connection holds this id — or the job was not found or does not offer
    /// the API; the page gives the three the same answer, so callers say "no link is stored" only
    /// after reading the job.
    pub async fn get_object_connection(
        &self,
        service_principal_id: &str,
        job_id: &str,
        object_id: &str,
    ) -> Result<Option<ObjectConnection>> {
        let url = self.object_connection_url(service_principal_id, job_id, object_id);
        match self
            .get_json::<ObjectConnection>(url, Operation::ReadObjectConnection)
            .await
        {
            Ok(connection) => Ok(Some(connection)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(object_connection_error(error)),
        }
    }

    /// Forgets the stored link for `object_id`. The job must be paused or disabled first; an
    /// active job answers `409`, given here as [`Error::JobStillActive`]. `204` also when nothing
    /// was stored (idempotent): read the link with [`Graph::get_object_connection`] before and
    /// after.
    pub async fn delete_object_connection(
        &self,
        service_principal_id: &str,
        job_id: &str,
        object_id: &str,
    ) -> Result<()> {
        let url = self.object_connection_url(service_principal_id, job_id, object_id);
        self.send(GraphRequest::new(
            Method::DELETE,
            url,
            Operation::DeleteObjectConnection,
        ))
        .await
        .map_err(object_connection_error)?;
        Ok(())
    }
}

/// The documented answers of the object connections API in plain words: `409` is the job still
/// running, `400` an identifier the API refused, `404` no link (or the API not offered for the
/// job). Everything else (403 with its role hint, throttling, network) is unchanged.
fn object_connection_error(error: Error) -> Error {
    match error {
        Error::Graph {
            status: 409,
            message,
            ids,
            ..
        } => Error::JobStillActive { message, ids },
        Error::Graph {
            status: 400,
            message,
            ids,
            ..
        } => Error::ObjectConnectionRefused { message, ids },
        Error::NotFound { message, ids } => Error::NoObjectConnection { message, ids },
        other => other,
    }
}

/// The request line the journal stores for a delete (never a secret).
pub fn delete_request_summary(service_principal_id: &str, job_id: &str, object_id: &str) -> String {
    format!(
        "DELETE /beta/servicePrincipals/{service_principal_id}/synchronization/jobs/{job_id}/objectConnections('{object_id}')"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's own example answer.
    #[test]
    fn microsofts_example_parses() {
        let connection: ObjectConnection = serde_json::from_value(serde_json::json!({
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#objectConnection/$entity",
            "objectId": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb",
            "sourceAnchor": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb",
            "targetAnchor": "701984",
            "displayName": "Adele Vance",
            "objectTypeName": "user"
        }))
        .unwrap();
        assert_eq!(connection.target_anchor.as_deref(), Some("701984"));
        assert_eq!(connection.display_name.as_deref(), Some("Adele Vance"));
        assert_eq!(connection.object_type_name.as_deref(), Some("user"));
    }

    /// The beta base of the same cloud, and the id as an OData literal in one segment.
    #[test]
    fn the_url_is_on_beta_with_the_id_quoted() {
        let endpoints = crate::Cloud::UsGovernment
            .endpoints(&crate::TenantId::parse("contoso.onmicrosoft.com").unwrap())
            .unwrap();
        let graph = Graph::new(
            &endpoints,
            std::sync::Arc::new(super::super::StaticToken("t".into())),
        )
        .unwrap();
        let url = graph.object_connection_url("sp-1", "scim.1", "o'x/y");
        assert_eq!(
            url.as_str(),
            "https://graph.microsoft.us/beta/servicePrincipals/sp-1/synchronization/jobs/scim.1/objectConnections('o''x%2Fy')"
        );
    }

    #[test]
    fn conflict_and_bad_request_get_their_own_plain_errors() {
        let conflict = object_connection_error(Error::Graph {
            status: 409,
            code: "Conflict".into(),
            message: "The job is active.".into(),
            ids: Default::default(),
        });
        assert_eq!(conflict.code(), "graph.job_still_active");
        assert!(conflict.hint().contains("paused"), "{}", conflict.hint());
        let refused = object_connection_error(Error::Graph {
            status: 400,
            code: "BadRequest".into(),
            message: "Invalid identifier.".into(),
            ids: Default::default(),
        });
        assert_eq!(refused.code(), "graph.object_connection_refused");
        let missing = object_connection_error(Error::NotFound {
            message: "Not found".into(),
            ids: Default::default(),
        });
        assert_eq!(missing.code(), "graph.no_object_connection");
        assert!(missing.hint().contains("match"), "{}", missing.hint());
    }
}
