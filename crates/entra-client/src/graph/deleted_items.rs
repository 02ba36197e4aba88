//! Deleted items: soft-deleted users (graph-api.md §6).
//!
//! * The list needs the OData cast segment: `GET /directory/deletedItems/microsoft.graph.user`
//!   (`/directory/deletedItems` alone is not supported).
//! * Restore answers 200 with the restored object; permanent delete answers 204 and cannot be
//!   undone. Items are restorable for 30 days.

use reqwest::Method;
use serde_json::Value;

use super::users::{User, USER_SELECT};
use super::{ApiVersion, Graph, GraphRequest};
use crate::error::Result;
use crate::permissions::Operation;

/// What a restore returned: the object as Graph sent it (a user for our purposes, but the docs'
/// only example is a group, so the raw JSON is kept too).
#[derive(Debug, Clone, PartialEq)]
pub struct RestoredObject {
    /// `@odata.type`, e.g. `#microsoft.graph.user`.
    pub odata_type: Option<String>,
    pub user: User,
    pub raw: Value,
}

impl RestoredObject {
    pub fn from_json(raw: Value) -> Self {
        let odata_type = raw
            .get("@odata.type")
            .and_then(Value::as_str)
            .map(str::to_string);
        let user = serde_json::from_value(raw.clone()).unwrap_or_default();
        Self {
            odata_type,
            user,
            raw,
        }
    }
}

impl Graph {
    /// Soft-deleted users; `filter` is an OData filter (e.g. from [`super::odata::eq`]).
    pub async fn list_deleted_users(
        &self,
        filter: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<User>> {
        let mut query = vec![("$select", USER_SELECT), ("$top", "999")];
        if let Some(f) = filter {
            query.push(("$filter", f));
        }
        let url = self.url(
            ApiVersion::V1,
            &["directory", "deletedItems", "microsoft.graph.user"],
            &query,
        );
        self.collect(self.list_request(url, Operation::ReadDeletedUsers), limit)
            .await
    }

    /// One deleted item by object id.
    pub async fn get_deleted_user(&self, id: &str) -> Result<User> {
        let url = self.url(
            ApiVersion::V1,
            &["directory", "deletedItems", id],
            &[("$select", USER_SELECT)],
        );
        self.get_json(url, Operation::ReadDeletedUsers).await
    }

    /// `POST /directory/deletedItems/{id}/restore`.
    pub async fn restore_deleted_user(&self, id: &str) -> Result<RestoredObject> {
        let url = self.url(
            ApiVersion::V1,
            &["directory", "deletedItems", id, "restore"],
            &[],
        );
        let resp = self
            .send(GraphRequest::new(
                Method::POST,
                url,
                Operation::RestoreDeletedUser,
            ))
            .await?;
        // Documented as 200 with the object; tolerate an empty 204 too.
        let raw = if resp.body.is_empty() {
            Value::Null
        } else {
            resp.json()?
        };
        Ok(RestoredObject::from_json(raw))
    }

    /// `DELETE /directory/deletedItems/{id}`: irreversible; provisioning sends the SCIM DELETE
    /// in its next cycle.
    pub async fn permanently_delete_user(&self, id: &str) -> Result<()> {
        let url = self.url(ApiVersion::V1, &["directory", "deletedItems", id], &[]);
        self.send(GraphRequest::new(
            Method::DELETE,
            url,
            Operation::PermanentlyDeleteUser,
        ))
        .await?;
        Ok(())
    }
}
