//! Reading the tenant back after a change whose answer was lost: did it happen?
//!
//! Each check answers from what the tenant itself shows now — never from this computer's clock,
//! which can be minutes off a real tenant and days off the training tenant ("Skip 30 days").
//! A read that fails, or a state that fits neither answer, is "cannot tell": the journal then
//! says "unknown" and a person looks, rather than the desk guessing.

use chrono::{DateTime, Utc};
use entra_client::graph::users::User;
use entra_client::Graph;

use crate::journal::Observation;

/// Sign-in is `enabled` now (`accountEnabled`, set by `PATCH /users/{id}`).
pub(crate) async fn sign_in_is(graph: &Graph, id: &str, enabled: bool) -> Observation {
    match graph.get_user(id).await {
        Ok(user) => sign_in_matches(&user, enabled),
        Err(error) => cannot_tell(&error),
    }
}

pub(crate) fn sign_in_matches(user: &User, enabled: bool) -> Observation {
    match user.account_enabled {
        Some(now) if now == enabled => Observation::Applied,
        Some(_) => Observation::NotApplied,
        None => Observation::CannotTell {
            because: "the tenant's answer did not say whether sign-in is on".into(),
        },
    }
}

/// Sessions were revoked after `before` was read from the tenant.
///
/// "revokeSignInSessions … resetting the signInSessionsValidFromDateTime user property to the
/// current date-time" (microsoft-graph-docs-contrib `api-reference/v1.0/api/user-revokesigninsessions.md`):
/// a revoke that arrived moves the property past the value read before it was sent. The value
/// has whole seconds, so a revoke in the same second as an earlier one looks "not done" and is
/// sent once more — harmless (it only signs the person out again), unlike missing one.
pub(crate) async fn sessions_revoked_since(
    graph: &Graph,
    id: &str,
    before: Option<DateTime<Utc>>,
) -> Observation {
    match graph.get_user(id).await {
        Ok(user) => sessions_moved_past(&user, before),
        Err(error) => cannot_tell(&error),
    }
}

pub(crate) fn sessions_moved_past(user: &User, before: Option<DateTime<Utc>>) -> Observation {
    match (before, user.sign_in_sessions_valid_from_date_time) {
        (_, None) if before.is_none() => Observation::NotApplied,
        (None, Some(_)) => Observation::Applied,
        (Some(before), Some(now)) if now > before => Observation::Applied,
        (Some(before), Some(now)) if now == before => Observation::NotApplied,
        _ => Observation::CannotTell {
            because: "the tenant shows an earlier sessions date than before the change".into(),
        },
    }
}

/// The person is back in the directory (`POST /directory/deletedItems/{id}/restore`); still
/// in the recycle bin means not done.
pub(crate) async fn restored(graph: &Graph, id: &str) -> Observation {
    match graph.get_user(id).await {
        Ok(_) => Observation::Applied,
        Err(entra_client::Error::NotFound { .. }) => match graph.get_deleted_user(id).await {
            Ok(_) => Observation::NotApplied,
            Err(entra_client::Error::NotFound { .. }) => Observation::CannotTell {
                because: "they are neither in the directory nor in the recycle bin".into(),
            },
            Err(error) => cannot_tell(&error),
        },
        Err(error) => cannot_tell(&error),
    }
}

/// The person is in the recycle bin (`DELETE /users/{id}`, a soft delete); still in the
/// directory means not done.
pub(crate) async fn in_recycle_bin(graph: &Graph, id: &str) -> Observation {
    match graph.get_user(id).await {
        Ok(_) => Observation::NotApplied,
        Err(entra_client::Error::NotFound { .. }) => match graph.get_deleted_user(id).await {
            Ok(_) => Observation::Applied,
            // Deleted items can lag behind the directory; not proof either way.
            Err(entra_client::Error::NotFound { .. }) => Observation::CannotTell {
                because: "they are gone from the directory but not (yet) in the recycle bin".into(),
            },
            Err(error) => cannot_tell(&error),
        },
        Err(error) => cannot_tell(&error),
    }
}

fn cannot_tell(error: &entra_client::Error) -> Observation {
    Observation::CannotTell {
        because: format!("reading them back failed: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(enabled: Option<bool>, sessions: Option<&str>) -> User {
        User {
            id: "u1".into(),
            account_enabled: enabled,
            sign_in_sessions_valid_from_date_time: sessions.map(|s| s.parse().unwrap()),
            ..User::default()
        }
    }

    #[test]
    fn sign_in_is_read_from_the_tenants_answer() {
        assert_eq!(
            sign_in_matches(&user(Some(false), None), false),
            Observation::Applied
        );
        assert_eq!(
            sign_in_matches(&user(Some(true), None), false),
            Observation::NotApplied
        );
        assert!(matches!(
            sign_in_matches(&user(None, None), true),
            Observation::CannotTell { .. }
        ));
    }

    /// Only the tenant's own before and after count; no local time is involved at all.
    #[test]
    fn a_revoke_is_seen_only_when_the_tenants_date_moved() {
        let before: DateTime<Utc> = "2026-01-05T10:00:00Z".parse().unwrap();
        let later = user(None, Some("2026-02-04T10:00:07Z"));
        let same = user(None, Some("2026-01-05T10:00:00Z"));
        let earlier = user(None, Some("2025-12-01T00:00:00Z"));
        assert_eq!(
            sessions_moved_past(&later, Some(before)),
            Observation::Applied
        );
        assert_eq!(
            sessions_moved_past(&same, Some(before)),
            Observation::NotApplied
        );
        assert!(matches!(
            sessions_moved_past(&earlier, Some(before)),
            Observation::CannotTell { .. }
        ));
        // Never revoked before: any date now is the revoke; still none is not done.
        assert_eq!(sessions_moved_past(&later, None), Observation::Applied);
        assert_eq!(
            sessions_moved_past(&user(None, None), None),
            Observation::NotApplied
        );
        assert!(matches!(
            sessions_moved_past(&user(None, None), Some(before)),
            Observation::CannotTell { .. }
        ));
    }
}
