//! Who is signed in, as Graph answers it: `GET /me` (graph-docs `api-reference/v1.0/api/user-get.md`,
//! "/me" for the signed-in user under delegated permissions).
//!
//! Microsoft says not to read or validate access tokens issued for APIs you don't own (entra-docs
//! `access-tokens.md`; graph-api.md §11.7): the token is Graph's, its contents may change
//! without notice. So the signed-in person's name and id come from `/me`, not from the token.

use super::users::User;
use super::{ApiVersion, Graph};
use crate::error::Result;
use crate::permissions::Operation;

/// What the desk needs of the signed-in person.
const ME_SELECT: &str = "id,displayName,userPrincipalName,mail";

impl Graph {
    /// The signed-in person (delegated sign-in only: Graph answers 400 for an app-only token).
    pub async fn get_me(&self) -> Result<User> {
        let url = self.url(ApiVersion::V1, &["me"], &[("$select", ME_SELECT)]);
        self.get_json(url, Operation::ReadUsers).await
    }
}
