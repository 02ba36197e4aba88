//! Who may sign in, through which client, to which redirect URI, with which scopes.

use std::collections::HashMap;

use super::*;
use crate::state::directory::User;
use crate::state::TenantState;

/// Redirect URIs must be loopback over `http` (`localhost` or `127.0.0.1`, any port, any path);
/// `[::1]` is not supported by Entra (redirect URI rules doc).
pub(super) fn loopback_redirect(uri: &str) -> Option<url::Url> {
    let url = url::Url::parse(uri).ok()?;
    let host = url.host_str()?;
    (url.scheme() == "http"
        && (host == "localhost" || host == "127.0.0.1")
        && url.fragment().is_none())
    .then_some(url)
}

/// Splits a requested `scope` into Graph permissions and OpenID Connect scopes. `.default` means
/// every consented permission. Scopes for other resources are `invalid_scope` (AADSTS70011);
/// Graph permissions nobody consented to are `consent_required` (AADSTS65001).
pub(super) fn resolve_scopes(
    state: &TenantState,
    requested: &str,
    consented: &[String],
) -> Result<(Vec<String>, Vec<String>), AadError> {
    let mut graph = Vec::new();
    let mut oidc = Vec::new();
    for scope in requested.split_whitespace() {
        if let Some(o) = OIDC_SCOPES.iter().find(|o| o.eq_ignore_ascii_case(scope)) {
            oidc.push(o.to_string());
            continue;
        }
        let lower = scope.to_ascii_lowercase();
        let short = [
            "https://graph.microsoft.com/",
            "00000003-0000-0000-c000-000000000000/",
        ]
        .iter()
        .find_map(|prefix| lower.starts_with(prefix).then(|| &scope[prefix.len()..]))
        .unwrap_or(scope);
        if short.contains('/') || short.contains(':') {
            return Err(AadError::new(
                "invalid_scope",
                70011,
                format!("The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."),
            ));
        }
        if short == ".default" {
            graph.extend(consented.iter().cloned());
            continue;
        }
        match consented
            .iter()
            .map(String::as_str)
            .chain(["User.Read"])
            .find(|c| c.eq_ignore_ascii_case(short))
        {
            Some(c) => graph.push(c.to_string()),
            None => {
                return Err(AadError::new(
                    "invalid_grant",
                    65001,
                    format!(
                        "The user or administrator has not consented to use the application with ID '{}' named '{}'. Send an interactive authorization request for this user and resource.",
                        state.summary.public_client_id, state.scenario.public_client.display_name
                    ),
                ))
            }
        }
    }
    if graph.is_empty() {
        graph.push("User.Read".into());
    }
    graph.sort();
    graph.dedup();
    oidc.dedup();
    Ok((graph, oidc))
}

pub(super) fn check_public_client(
    state: &TenantState,
    form: &HashMap<String, String>,
) -> Result<(), AadError> {
    let client_id = form
        .get("client_id")
        .ok_or_else(|| AadError::missing("client_id"))?;
    if client_id.eq_ignore_ascii_case(&state.summary.automation_client_id) {
        return Err(AadError::new(
            "unauthorized_client",
            700016,
            "The automation client is a confidential client: use the client_credentials grant.",
        ));
    }
    if !client_id.eq_ignore_ascii_case(&state.summary.public_client_id) {
        return Err(AadError::new(
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", state.summary.organization),
        ));
    }
    if form.contains_key("client_secret") || form.contains_key("client_assertion") {
        return Err(AadError::new(
            "invalid_request",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        ));
    }
    Ok(())
}

/// A user may sign in when active and enabled.
pub(super) fn sign_in_user(state: &TenantState, login: &str) -> Result<User, AadError> {
    let dir = state.directory();
    let user = dir.find_user(login.trim()).ok_or_else(|| {
        AadError::new(
            "invalid_grant",
            50034,
            format!("The user account {{EUII Hidden}} does not exist in the '{}' directory. To sign into this application, the account must be added to the directory.", state.tenant_id()),
        )
    })?;
    if !user.account_enabled() {
        return Err(AadError::new(
            "invalid_grant",
            50057,
            "The user account is disabled.",
        ));
    }
    Ok(user.clone())
}
