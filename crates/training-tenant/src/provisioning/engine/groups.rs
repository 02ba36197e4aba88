//! Group provisioning, after the users of a cycle ("How application provisioning works":
//! reference attributes such as group members are exported after the objects themselves).
//!
//! * In scope: the groups assigned to the app ("Sync only assigned users and groups"), or every
//!   group with "Sync all"; members are exported only when they are provisioned users of the
//!   job (a member Entra has not provisioned cannot be referenced).
//! * An unlinked group is matched with `GET /Groups?filter=displayName eq "…"&excludedAttributes=members`;
//!   no match → `POST /Groups` with empty members, then the members are added with PATCH
//!   ("Develop a SCIM endpoint", graph-api.md §8.3, §8.4).
//! * Membership changes go out as PATCH `members` add / remove in the job's PATCH shape
//!   (`aadOptscim062020` removes with a `members[value eq "…"]` path, §8.5).
//! * A group that leaves the scope (unassigned or deleted) gets `DELETE /Groups/{id}` when
//!   Delete is among the target object actions; otherwise Entra just stops managing it.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::{json, Value};

use super::Cycle;
use crate::provisioning::expression::{Source, Val};
use crate::provisioning::job::{GroupLink, Job, PatchStyle};
use crate::provisioning::logs::{step, Entry, ErrorInfo};
use crate::provisioning::schema::{self, ObjectMapping, GROUP_TARGET_OBJECT};
use crate::scim::{ScimResponse, PATCH_OP};
use crate::state::directory::{Directory, Group, PrincipalType};

/// Entra's own group schema URN, sent with every created group (SCIM docs' example).
const AD_SCIM_GROUP: &str =
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

/// What a group looks like in the app according to the mappings.
struct Wanted {
    display_name: String,
    /// Target attribute → value, `members` excluded.
    attributes: Vec<(String, String)>,
    /// Entra user id → SCIM id of the provisioned members, when members are mapped.
    members: Option<BTreeMap<String, String>>,
}

/// The groups a job provisions: those assigned to its app, or every group with "Sync all".
pub(super) fn groups_in_scope(job: &Job, dir: &Directory) -> BTreeSet<String> {
    if job.sync_all {
        return dir.groups.keys().cloned().collect();
    }
    dir.app_role_assignments
        .iter()
        .filter(|a| {
            a.resource_id == job.service_principal_id
                && a.principal_type == PrincipalType::Group
                && dir.groups.contains_key(&a.principal_id)
        })
        .map(|a| a.principal_id.clone())
        .collect()
}

/// Whether a group in scope still waits to be created (its last attempt failed): the next
/// cycle must run even when nothing changed in the directory.
pub(super) fn groups_pending(job: &Job, dir: &Directory) -> bool {
    schema::compile_groups(&job.schema).is_some_and(|g| g.enabled && g.add)
        && groups_in_scope(job, dir)
            .iter()
            .any(|g| !job.group_links.contains_key(g))
}

impl Cycle<'_> {
    /// Exports the groups in scope; returns their log entries. Stops at a 401 (the cycle then
    /// fails as a whole). An incremental cycle passes the groups whose members or assignments
    /// changed and the users it processed: other provisioned groups cannot have changed and
    /// are not looked at.
    pub(super) fn sync_groups(
        &mut self,
        mapping: &ObjectMapping,
        incremental: Option<(HashSet<String>, &BTreeSet<String>)>,
    ) -> Vec<Entry> {
        let in_scope = groups_in_scope(self.job, self.dir);
        let mut entries = Vec::new();
        let gone: Vec<String> = self
            .job
            .group_links
            .keys()
            .filter(|g| !in_scope.contains(*g))
            .cloned()
            .collect();
        for id in gone {
            if let Some(e) = self.deprovision_group(&id, mapping) {
                entries.push(e);
            }
            if self.unauthorized.is_some() {
                return entries;
            }
        }
        for id in &in_scope {
            let Some(group) = self.dir.groups.get(id) else {
                continue;
            };
            // A provisioned group whose members did not change can differ from what was
            // exported only in the users this cycle processed.
            let only = match &incremental {
                Some((groups, users))
                    if !groups.contains(id) && self.job.group_links.contains_key(id) =>
                {
                    Some(*users)
                }
                _ => None,
            };
            let wanted = self.wanted(group, mapping, only);
            let entry = match self.job.group_links.remove(id) {
                Some(link) => self
                    .update_group(group, link, wanted, mapping, only)
                    .into_iter()
                    .collect(),
                None => self.match_or_create_group(group, wanted, mapping),
            };
            if self.unauthorized.is_some() {
                break;
            }
            entries.extend(entry);
        }
        entries
    }

    /// One group on demand, with the memberships of `only`: skipped when it is not in scope.
    pub(super) fn sync_one_group(
        &mut self,
        mapping: &ObjectMapping,
        group_id: &str,
        only: &BTreeSet<String>,
    ) -> Vec<Entry> {
        let Some(group) = self.dir.groups.get(group_id) else {
            return Vec::new();
        };
        let assigned =
            self.dir.app_role_assignments.iter().any(|a| {
                a.resource_id == self.job.service_principal_id && a.principal_id == group.id
            });
        if !self.job.sync_all && !assigned {
            let steps = vec![
                Self::import_step(group),
                step(
                    "EntrySynchronizationSkip",
                    "export",
                    "skipped",
                    format!(
                        "The Group '{}' will be skipped: it is not assigned to the application",
                        group.display_name
                    ),
                    json!({"SkipReason": "NotEffectivelyEntitled"}),
                ),
            ];
            let mut e = self.group_entry(
                &group.id,
                &group.display_name,
                "other",
                "skipped",
                steps,
                None,
            );
            e.error = Some(ErrorInfo {
                code: "NotEffectivelyEntitled".into(),
                reason: "This group is not assigned to the application, so it is not in scope for provisioning.".into(),
                category: "nonServiceFailure",
                recommended_action: None,
            });
            return vec![e];
        }
        let wanted = self.wanted(group, mapping, Some(only));
        match self.job.group_links.remove(group_id) {
            Some(link) => self
                .update_group(group, link, wanted, mapping, Some(only))
                .into_iter()
                .collect(),
            None => self.match_or_create_group(group, wanted, mapping),
        }
    }

    /// What the group should look like in the app; with `only`, its members among those users.
    fn wanted(
        &self,
        group: &Group,
        mapping: &ObjectMapping,
        only: Option<&BTreeSet<String>>,
    ) -> Wanted {
        let mut src = Source::default();
        src.insert("objectId", Val::Str(group.id.clone()));
        src.insert("displayName", Val::Str(group.display_name.clone()));
        src.insert("mailNickname", Val::Str(group.mail_nickname.clone()));
        if let Some(d) = &group.description {
            src.insert("description", Val::Str(d.clone()));
        }
        let mut wanted = Wanted {
            display_name: group.display_name.clone(),
            attributes: Vec::new(),
            members: None,
        };
        for rule in &mapping.attributes {
            if rule.target.eq_ignore_ascii_case("members") {
                wanted.members = Some(
                    group
                        .members
                        .iter()
                        .filter(|m| only.is_none_or(|o| o.contains(*m)))
                        .filter_map(|m| {
                            self.job
                                .links
                                .get(m)
                                .filter(|l| l.managed)
                                .map(|l| (m.clone(), l.target_id.clone()))
                        })
                        .collect(),
                );
                continue;
            }
            let value = rule
                .expr
                .as_ref()
                .and_then(|e| e.eval(&src))
                .map(|v| v.text())
                .or_else(|| rule.default_value.clone());
            if let Some(v) = value {
                if rule.target.eq_ignore_ascii_case("displayName") {
                    wanted.display_name = v.clone();
                }
                wanted.attributes.push((rule.target.clone(), v));
            }
        }
        wanted
    }

    fn group_entry(
        &self,
        group_id: &str,
        display_name: &str,
        action: &'static str,
        status: &'static str,
        steps: Vec<crate::provisioning::logs::Step>,
        target: Option<String>,
    ) -> Entry {
        let mut e = self.entry(group_id, display_name, action, status, steps, target);
        e.source_type = "Group";
        e.source_display_name = display_name.to_string();
        e
    }

    fn import_step(group: &Group) -> crate::provisioning::logs::Step {
        step(
            "EntryImport",
            "import",
            "success",
            format!(
                "Retrieved Group '{}' from Azure Active Directory",
                group.display_name
            ),
            json!({"objectId": group.id, "displayName": group.display_name, "members": group.members.len().to_string()}),
        )
    }

    fn match_or_create_group(
        &mut self,
        group: &Group,
        wanted: Wanted,
        mapping: &ObjectMapping,
    ) -> Vec<Entry> {
        let app = self.job.app_display_name.clone();
        let name = wanted.display_name.clone();
        let mut steps = vec![Self::import_step(group)];
        for rule in mapping.matching() {
            let Some((_, value)) = wanted
                .attributes
                .iter()
                .find(|(t, _)| t.eq_ignore_ascii_case(&rule.target))
            else {
                continue;
            };
            let query = vec![
                (
                    "filter".to_string(),
                    format!("{} eq \"{}\"", rule.target, value),
                ),
                ("excludedAttributes".to_string(), "members".to_string()),
            ];
            let resp = self.send(&group.id, "GET", "/Groups", query, None);
            if resp.status == 401 {
                return Vec::new();
            }
            let found = resp
                .body
                .as_ref()
                .and_then(|b| b["Resources"].get(0))
                .and_then(|r| r["id"].as_str())
                .map(str::to_string);
            if let Some(target_id) = found {
                steps.push(step(
                    "EntryImport",
                    "matching",
                    "success",
                    format!("Retrieved Group '{name}' from {app}"),
                    json!({"id": target_id}),
                ));
                // Matched: what the app's group holds is unknown (members were excluded), so
                // every provisioned member is added.
                let link = GroupLink {
                    target_id,
                    display_name: String::new(),
                    members: BTreeMap::new(),
                };
                return self
                    .update_group(group, link, wanted, mapping, None)
                    .into_iter()
                    .collect();
            }
        }
        steps.push(step(
            "EntryImport",
            "matching",
            "success",
            format!("No Group matching '{name}' was found in {app}"),
            json!({}),
        ));
        if !mapping.add {
            return Vec::new();
        }
        steps.push(step(
            "EntrySynchronizationAdd",
            "processing",
            "success",
            format!("Group '{name}' will be created in {app}"),
            json!({}),
        ));
        let mut body = json!({
            "schemas": [GROUP_TARGET_OBJECT, AD_SCIM_GROUP],
            "members": [],
        });
        for (target, value) in &wanted.attributes {
            body[target.as_str()] = json!(value);
        }
        let modified: Vec<(String, Option<String>, Option<String>)> = wanted
            .attributes
            .iter()
            .map(|(t, v)| (t.clone(), None, Some(v.clone())))
            .collect();
        let resp = self.send(&group.id, "POST", "/Groups", Vec::new(), Some(body));
        if resp.status == 401 {
            return Vec::new();
        }
        let Some(target_id) = resp
            .body
            .as_ref()
            .filter(|_| resp.status == 201 || resp.status == 200)
            .and_then(|b| b["id"].as_str())
            .map(str::to_string)
        else {
            return vec![self.group_failure(&group.id, &name, "create", steps, &resp, None)];
        };
        self.exported += 1;
        steps.push(step(
            "EntryExportAdd",
            "export",
            "success",
            format!("Group '{name}' was created in {app}"),
            json!({"ReportableIdentifier": name, "id": target_id}),
        ));
        let link = GroupLink {
            target_id: target_id.clone(),
            display_name: name.clone(),
            members: BTreeMap::new(),
        };
        let mut created = self.group_entry(
            &group.id,
            &name,
            "create",
            "success",
            steps,
            Some(target_id),
        );
        created.modified = modified;
        // The members follow as a PATCH, logged as an update of the new group.
        let members = self.update_group(group, link, wanted, mapping, None);
        std::iter::once(created).chain(members).collect()
    }

    /// PATCHes the group's differences from its last export; with `only`, `wanted` holds just
    /// those users' memberships and only they are compared.
    fn update_group(
        &mut self,
        group: &Group,
        mut link: GroupLink,
        wanted: Wanted,
        mapping: &ObjectMapping,
        only: Option<&BTreeSet<String>>,
    ) -> Option<Entry> {
        let (entry, keep) = self.patch_group(group, &mut link, wanted, mapping, only);
        if keep {
            self.job.group_links.insert(group.id.clone(), link);
        }
        entry
    }

    /// The PATCH of `update_group`; `link` changes only when the app accepted it. Returns the
    /// log entry and whether the link is kept (not when the app no longer has the group).
    fn patch_group(
        &mut self,
        group: &Group,
        link: &mut GroupLink,
        wanted: Wanted,
        mapping: &ObjectMapping,
        only: Option<&BTreeSet<String>>,
    ) -> (Option<Entry>, bool) {
        let app = self.job.app_display_name.clone();
        let name = wanted.display_name.clone();
        let (adds, removes): (Vec<(String, String)>, Vec<String>) = match &wanted.members {
            Some(members) => (
                members
                    .iter()
                    .filter(|(m, _)| !link.members.contains_key(*m))
                    .map(|(m, t)| (m.clone(), t.clone()))
                    .collect(),
                link.members
                    .keys()
                    .filter(|m| only.is_none_or(|o| o.contains(*m)) && !members.contains_key(*m))
                    .cloned()
                    .collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let rename = !link.display_name.is_empty() && link.display_name != name;
        if (adds.is_empty() && removes.is_empty() && !rename) || !mapping.update {
            return (None, true);
        }
        let lower = self.job.patch_style == PatchStyle::AadOptscim062020;
        let op = |o: &str| {
            if lower {
                o.to_ascii_lowercase()
            } else {
                o.to_string()
            }
        };
        let mut ops = Vec::new();
        if rename {
            ops.push(json!({"op": op("Replace"), "path": "displayName", "value": name}));
        }
        if !adds.is_empty() {
            let values: Vec<Value> = adds.iter().map(|(_, t)| json!({"value": t})).collect();
            ops.push(json!({"op": op("Add"), "path": "members", "value": values}));
        }
        // The SCIM ids of removed members come from the group's last export: their user links
        // may be gone already (hard delete).
        let removed_targets: Vec<&String> =
            removes.iter().filter_map(|m| link.members.get(m)).collect();
        if lower {
            ops.extend(
                removed_targets
                    .iter()
                    .map(|t| json!({"op": "remove", "path": format!("members[value eq \"{t}\"]")})),
            );
        } else if !removed_targets.is_empty() {
            let values: Vec<Value> = removed_targets
                .iter()
                .map(|t| json!({"value": t}))
                .collect();
            ops.push(json!({"op": "Remove", "path": "members", "value": values}));
        }
        let mut steps = vec![Self::import_step(group)];
        steps.push(step(
            "EntrySynchronizationUpdate",
            "processing",
            "success",
            format!("Group '{name}' will be updated in {app}"),
            json!({}),
        ));
        let mut modified = Vec::new();
        if rename {
            modified.push((
                "displayName".to_string(),
                Some(link.display_name.clone()),
                Some(name.clone()),
            ));
        }
        if !adds.is_empty() || !removes.is_empty() {
            modified.push((
                "members".to_string(),
                Some(format!("{} members", link.members.len())),
                Some(format!(
                    "{} members (+{}, -{})",
                    link.members.len() + adds.len() - removes.len(),
                    adds.len(),
                    removes.len()
                )),
            ));
        }
        let body = json!({"schemas": [PATCH_OP], "Operations": ops});
        let resp = self.send(
            &group.id,
            "PATCH",
            &format!("/Groups/{}", link.target_id),
            Vec::new(),
            Some(body),
        );
        if resp.status == 401 {
            return (None, true);
        }
        if !(200..300).contains(&resp.status) {
            let mut e = self.group_failure(
                &group.id,
                &name,
                "update",
                steps,
                &resp,
                Some(link.target_id.clone()),
            );
            e.modified = modified;
            // 404: the app lost the group; forgotten, the next cycle matches or creates it.
            return (Some(e), resp.status != 404);
        }
        self.exported += 1;
        link.display_name = name.clone();
        link.members.extend(adds);
        for m in &removes {
            link.members.remove(m);
        }
        steps.push(step(
            "EntryExportUpdate",
            "export",
            "success",
            format!("Group '{name}' was updated in {app}"),
            json!({"ReportableIdentifier": name}),
        ));
        let mut e = self.group_entry(
            &group.id,
            &name,
            "update",
            "success",
            steps,
            Some(link.target_id.clone()),
        );
        e.modified = modified;
        (Some(e), true)
    }

    fn deprovision_group(&mut self, id: &str, mapping: &ObjectMapping) -> Option<Entry> {
        let link = self.job.group_links.get(id).cloned()?;
        let app = self.job.app_display_name.clone();
        let name = link.display_name.clone();
        if !mapping.delete {
            self.job.group_links.remove(id);
            return None;
        }
        let steps = vec![step(
            "EntrySynchronizationDelete",
            "processing",
            "success",
            format!("Group '{name}' is no longer in scope and will be deleted from {app}"),
            json!({}),
        )];
        let resp = self.send(
            id,
            "DELETE",
            &format!("/Groups/{}", link.target_id),
            Vec::new(),
            None,
        );
        if resp.status == 401 {
            return None;
        }
        if !(200..300).contains(&resp.status) && resp.status != 404 {
            return Some(self.group_failure(
                id,
                &name,
                "delete",
                steps,
                &resp,
                Some(link.target_id),
            ));
        }
        self.job.group_links.remove(id);
        self.exported += 1;
        let mut steps = steps;
        steps.push(step(
            "EntryExportDelete",
            "export",
            "success",
            format!("Group '{name}' was deleted in {app}"),
            json!({"ReportableIdentifier": name}),
        ));
        Some(self.group_entry(id, &name, "delete", "success", steps, Some(link.target_id)))
    }

    fn group_failure(
        &mut self,
        id: &str,
        name: &str,
        action: &'static str,
        mut steps: Vec<crate::provisioning::logs::Step>,
        resp: &ScimResponse,
        target: Option<String>,
    ) -> Entry {
        self.failures += 1;
        steps.push(step(
            match action {
                "create" => "EntryExportAdd",
                "delete" => "EntryExportDelete",
                _ => "EntryExportUpdate",
            },
            "export",
            "failure",
            format!(
                "Failed to {action} Group '{name}' in {}",
                self.job.app_display_name
            ),
            json!({"ReportableIdentifier": name, "HttpStatusCode": resp.status.to_string()}),
        ));
        let mut e = self.group_entry(id, name, action, "failure", steps, target);
        e.error = Some(ErrorInfo {
            code: match resp.status {
                409 => "EntryConflict",
                404 => "InvalidAnchor",
                _ => "WebExceptionProtocolError",
            }
            .into(),
            reason: format!(
                "The app answered HTTP {}: {}. The group is retried in the next cycle.",
                resp.status,
                resp.body.as_ref().map(Value::to_string).unwrap_or_default()
            ),
            category: "nonServiceFailure",
            recommended_action: None,
        });
        e
    }
}
