//! Enterprise apps (service principals), their provisioning jobs, and app role assignments —
//! "is this person in the app's provisioning scope?" (graph-api.md §7).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::lenient::{lenient_enum, opt_bool, opt_datetime, vec_skip_bad};
use super::odata;
use super::paging::Page;
use super::synchronization::SynchronizationJob;
use super::{ApiVersion, Graph};
use crate::error::{Error, Result};
use crate::permissions::Operation;

const SP_SELECT: &str = "id,appId,displayName,appDisplayName,accountEnabled,servicePrincipalType,tags,appRoleAssignmentRequired";

/// An enterprise application's service principal. Its **object id** (`id`) is what the
/// synchronization endpoints take, not the app id (§9.14).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub app_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub app_display_name: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub account_enabled: Option<bool>,
    #[serde(default)]
    pub service_principal_type: Option<String>,
    #[serde(default, deserialize_with = "vec_skip_bad")]
    pub tags: Vec<String>,
    /// "Assignment required?" on the enterprise app.
    #[serde(default, deserialize_with = "opt_bool")]
    pub app_role_assignment_required: Option<bool>,
}

lenient_enum! {
    /// Who an app role is assigned to.
    PrincipalType { User => "User", Group => "Group", ServicePrincipal => "ServicePrincipal" }
}

/// "Default access": the role id of an assignment without a specific app role.
pub const DEFAULT_ACCESS_ROLE_ID: &str = "00000000-0000-0000-0000-000000000000";

/// An app role assignment (appRoleAssignment resource).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub app_role_id: Option<String>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub created_date_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub deleted_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub principal_display_name: Option<String>,
    #[serde(default)]
    pub principal_id: Option<String>,
    #[serde(default = "unknown_principal")]
    pub principal_type: PrincipalType,
    #[serde(default)]
    pub resource_display_name: Option<String>,
    /// The service principal's object id.
    #[serde(default)]
    pub resource_id: Option<String>,
}

fn unknown_principal() -> PrincipalType {
    PrincipalType::Unrecognized(String::new())
}

/// How a user is assigned to one app.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppAssignment {
    /// Assigned to the user themself.
    pub direct: Vec<AppRoleAssignment>,
    /// Assigned to a group the user is a *direct* member of (nested groups are not in
    /// provisioning scope, "How provisioning works").
    pub via_groups: Vec<AppRoleAssignment>,
}

impl AppAssignment {
    pub fn is_assigned(&self) -> bool {
        !self.direct.is_empty() || !self.via_groups.is_empty()
    }
}

/// An app with its provisioning jobs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionedApp {
    pub service_principal: ServicePrincipal,
    pub jobs: Vec<SynchronizationJob>,
}

/// An app with provisioning, or one whose jobs could not be read.
#[derive(Debug)]
pub struct AppJobsRead {
    pub service_principal: ServicePrincipal,
    pub jobs: Vec<SynchronizationJob>,
    /// Why the jobs could not be read; the other apps are still listed.
    pub jobs_error: Option<Error>,
}

/// How far the apps listing has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppsProgress {
    pub checked: usize,
    pub total: usize,
}

/// One app a user is assigned to, with what the caller could learn about its provisioning.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserApp {
    /// The service principal's object id.
    pub service_principal_id: String,
    pub display_name: Option<String>,
    pub assignment: AppAssignment,
    /// The app's provisioning jobs (empty: no provisioning). `None` when they could not be read.
    pub jobs: Option<Vec<SynchronizationJob>>,
    /// Why the jobs could not be read (typically a missing role: reading jobs needs Application
    /// Administrator or Cloud Application Administrator, which a helpdesk operator may lack).
    pub jobs_error: Option<crate::error::ErrorPayload>,
}

impl UserApp {
    pub fn has_provisioning(&self) -> bool {
        self.jobs.as_ref().is_some_and(|j| !j.is_empty())
    }
}

impl Graph {
    /// Every app the user is assigned to (directly or through a direct group), with each app's
    /// provisioning jobs fetched in one `$batch` per 20 apps. A refused job read does not fail
    /// the whole answer: it is reported per app in [`UserApp::jobs_error`].
    pub async fn user_apps(&self, user_id: &str) -> Result<Vec<UserApp>> {
        let assignments = self.user_app_role_assignments(user_id, None).await?;
        let mut apps: Vec<UserApp> = Vec::new();
        for a in assignments {
            let Some(resource) = a.resource_id.clone() else {
                continue;
            };
            let idx = match apps
                .iter()
                .position(|x| x.service_principal_id.eq_ignore_ascii_case(&resource))
            {
                Some(i) => i,
                None => {
                    apps.push(UserApp {
                        service_principal_id: resource,
                        display_name: a.resource_display_name.clone(),
                        assignment: AppAssignment::default(),
                        jobs: None,
                        jobs_error: None,
                    });
                    apps.len() - 1
                }
            };
            if a.principal_type == PrincipalType::Group {
                apps[idx].assignment.via_groups.push(a);
            } else {
                apps[idx].assignment.direct.push(a);
            }
        }
        let requests = apps
            .iter()
            .map(|app| {
                let url = self.url(
                    ApiVersion::V1,
                    &[
                        "servicePrincipals",
                        &app.service_principal_id,
                        "synchronization",
                        "jobs",
                    ],
                    &[],
                );
                self.list_request(url, Operation::ReadSynchronization)
            })
            .collect();
        let answers = self.batch(requests).await?;
        for (app, answer) in apps.iter_mut().zip(answers) {
            match answer.and_then(|a| a.json::<Page<SynchronizationJob>>()) {
                Ok(page) => app.jobs = Some(page.value),
                Err(Error::NotFound { .. }) => app.jobs = Some(Vec::new()),
                Err(e) => app.jobs_error = Some(e.payload()),
            }
        }
        Ok(apps)
    }

    /// Service principals, optionally only those whose display name starts with `prefix`.
    pub async fn list_service_principals(
        &self,
        prefix: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<ServicePrincipal>> {
        let filter = prefix.map(|p| odata::starts_with("displayName", p));
        let mut query = vec![("$select", SP_SELECT), ("$top", "999")];
        if let Some(f) = &filter {
            query.push(("$filter", f));
        }
        let url = self.url(ApiVersion::V1, &["servicePrincipals"], &query);
        self.collect(
            self.list_request(url, Operation::ReadServicePrincipals),
            limit,
        )
        .await
    }

    /// One service principal by object id.
    pub async fn get_service_principal(&self, id: &str) -> Result<ServicePrincipal> {
        let url = self.url(
            ApiVersion::V1,
            &["servicePrincipals", id],
            &[("$select", SP_SELECT)],
        );
        self.get_json(url, Operation::ReadServicePrincipals).await
    }

    /// One service principal by application (client) id: `servicePrincipals(appId='…')`.
    pub async fn get_service_principal_by_app_id(&self, app_id: &str) -> Result<ServicePrincipal> {
        let segment = format!("servicePrincipals(appId={})", odata::quote(app_id));
        let url = self.url(ApiVersion::V1, &[&segment], &[("$select", SP_SELECT)]);
        self.get_json(url, Operation::ReadServicePrincipals).await
    }

    /// Everyone assigned to the app: users, groups and service principals.
    pub async fn app_role_assigned_to(
        &self,
        service_principal_id: &str,
    ) -> Result<Vec<AppRoleAssignment>> {
        let url = self.url(
            ApiVersion::V1,
            &[
                "servicePrincipals",
                service_principal_id,
                "appRoleAssignedTo",
            ],
            &[("$top", "999")],
        );
        self.collect(
            self.list_request(url, Operation::ReadAppRoleAssignments),
            None,
        )
        .await
    }

    /// The ids of the users who are direct members of the group (`GET /groups/{id}/members`;
    /// members of other types are left out; one without `@odata.type` counts as a user).
    pub async fn group_member_user_ids(&self, group_id: &str) -> Result<Vec<String>> {
        let url = self.url(
            ApiVersion::V1,
            &["groups", group_id, "members"],
            &[("$select", "id"), ("$top", "999")],
        );
        let members: Vec<serde_json::Value> = self
            .collect(self.list_request(url, Operation::ReadUsers), None)
            .await?;
        Ok(members
            .into_iter()
            .filter(|m| {
                m.get("@odata.type")
                    .and_then(|t| t.as_str())
                    .is_none_or(|t| t.eq_ignore_ascii_case("#microsoft.graph.user"))
            })
            .filter_map(|m| m.get("id").and_then(|id| id.as_str()).map(str::to_string))
            .collect())
    }

    /// The user's app role assignments, including those through groups the user is a direct
    /// member of ("List appRoleAssignments granted to a user"); optionally for one app only
    /// (`resourceId` is a GUID literal: unquoted).
    pub async fn user_app_role_assignments(
        &self,
        user_id: &str,
        resource_id: Option<&str>,
    ) -> Result<Vec<AppRoleAssignment>> {
        let filter = match resource_id {
            Some(r) => {
                let guid = uuid::Uuid::parse_str(r).map_err(|_| Error::NotFound {
                    message: format!("\"{r}\" is not a service principal object id"),
                    ids: Default::default(),
                })?;
                Some(format!("resourceId eq {guid}"))
            }
            None => None,
        };
        let mut query = Vec::new();
        if let Some(f) = &filter {
            query.push(("$filter", f.as_str()));
        }
        let url = self.user_url(user_id, &["appRoleAssignments"], &query);
        self.collect(
            self.list_request(url, Operation::ReadAppRoleAssignments),
            None,
        )
        .await
    }

    /// Is the user assigned to the app, directly or through a group?
    pub async fn user_assignment_to_app(
        &self,
        user_id: &str,
        service_principal_id: &str,
    ) -> Result<AppAssignment> {
        let all = self
            .user_app_role_assignments(user_id, Some(service_principal_id))
            .await?;
        let mut result = AppAssignment::default();
        for a in all {
            // Defensive: a server that ignores the filter must not put other apps in scope.
            if a.resource_id
                .as_deref()
                .is_some_and(|r| !r.eq_ignore_ascii_case(service_principal_id))
            {
                continue;
            }
            if a.principal_type == PrincipalType::Group {
                result.via_groups.push(a);
            } else {
                result.direct.push(a);
            }
        }
        Ok(result)
    }

    /// Every enterprise app that has at least one provisioning job, with its jobs. Fails when
    /// any app's jobs cannot be read; [`Self::apps_with_provisioning_progress`] reports such
    /// apps one by one instead.
    pub async fn apps_with_provisioning(&self) -> Result<Vec<ProvisionedApp>> {
        let mut apps = Vec::new();
        for app in self.apps_with_provisioning_progress(&mut |_| {}).await? {
            if let Some(error) = app.jobs_error {
                return Err(error);
            }
            apps.push(ProvisionedApp {
                service_principal: app.service_principal,
                jobs: app.jobs,
            });
        }
        Ok(apps)
    }

    /// Every enterprise app with provisioning, and every app whose jobs could not be read
    /// (403/404 other than "no jobs"/500 after retries), without aborting the list.
    ///
    /// Microsoft documents no server-side filter for "service principals with a provisioning
    /// job" (graph-docs `api/serviceprincipal-list.md` lists no synchronization property, and
    /// `api/synchronization-synchronization-list-jobs.md` is per service principal), so every
    /// service principal's `…/synchronization/jobs` is read: `$batch` of 20 (graph-api.md §2.5),
    /// a few batches in flight at once. `progress` is called after each batch with how many
    /// apps have been checked out of how many. An app whose job list answers 404 has no
    /// provisioning (graph-api.md §3.2: "could also be 404 — handle both").
    pub async fn apps_with_provisioning_progress(
        &self,
        progress: &mut (dyn FnMut(AppsProgress) + Send),
    ) -> Result<Vec<AppJobsRead>> {
        use futures::StreamExt;
        /// Batches in flight at once: bounded, so a tenant with thousands of apps is not
        /// asked for everything at the same moment (each inner request is throttled on its own).
        const BATCHES_IN_FLIGHT: usize = 3;
        let sps = self.list_service_principals(None, None).await?;
        let total = sps.len();
        progress(AppsProgress { checked: 0, total });
        let chunks: Vec<Vec<ServicePrincipal>> =
            sps.chunks(20).map(<[ServicePrincipal]>::to_vec).collect();
        let mut answers = futures::stream::iter(chunks.into_iter().map(|chunk| async move {
            let requests = chunk
                .iter()
                .map(|sp| {
                    let url = self.url(
                        ApiVersion::V1,
                        &["servicePrincipals", &sp.id, "synchronization", "jobs"],
                        &[],
                    );
                    self.list_request(url, Operation::ReadSynchronization)
                })
                .collect();
            (chunk, self.batch(requests).await)
        }))
        .buffered(BATCHES_IN_FLIGHT);
        let mut apps = Vec::new();
        let mut checked = 0;
        while let Some((chunk, answers)) = answers.next().await {
            checked += chunk.len();
            let answers = answers?;
            for (sp, answer) in chunk.into_iter().zip(answers) {
                let (jobs, jobs_error) =
                    match answer.and_then(|a| a.json::<Page<SynchronizationJob>>()) {
                        Ok(page) => (page.value, None),
                        Err(Error::NotFound { .. }) => (Vec::new(), None),
                        Err(error) => (Vec::new(), Some(error)),
                    };
                if !jobs.is_empty() || jobs_error.is_some() {
                    apps.push(AppJobsRead {
                        service_principal: sp,
                        jobs,
                        jobs_error,
                    });
                }
            }
            progress(AppsProgress { checked, total });
        }
        Ok(apps)
    }
}
