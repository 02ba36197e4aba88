//! The one error type of this crate.
//!
//! Every variant answers three questions for the person in front of the screen (see
//! ARCHITECTURE.md "Errors"): a stable machine [`Error::code`] the UI branches on, a plain
//! sentence (`Display`), and [`Error::hint`] — what to do about it. Identifiers Microsoft
//! support asks for (`request-id`, `client-request-id`, AADSTS trace and correlation ids) are
//! kept in every error that came back from a server.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::permissions::Operation;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Identifiers of one Graph request, for support cases ("Graph error format", errors.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestIds {
    /// `request-id` response header or `error.innerError.request-id`.
    pub request_id: Option<String>,
    /// The `client-request-id` we sent (Graph echoes it back).
    pub client_request_id: Option<String>,
    /// `error.innerError.date`, when Graph gave one.
    pub date: Option<String>,
}

impl fmt::Display for RequestIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(id) = &self.request_id {
            parts.push(format!("request-id {id}"));
        }
        if let Some(id) = &self.client_request_id {
            parts.push(format!("client-request-id {id}"));
        }
        if let Some(date) = &self.date {
            parts.push(format!("date {date}"));
        }
        f.write_str(&parts.join(", "))
    }
}

/// An error answer of the identity platform's token endpoint (or an authorize redirect), as
/// documented in "Microsoft identity platform and OAuth 2.0 authorization code flow".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityError {
    /// OAuth `error` value, e.g. `invalid_grant`.
    pub error: String,
    /// The numeric AADSTS code, from `error_codes` or the `AADSTSnnnn:` prefix of the description.
    pub aadsts: Option<u32>,
    /// `error_description` as sent (it embeds trace id, correlation id and timestamp).
    pub description: String,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
}

impl IdentityError {
    /// Builds from the parts of an OAuth error answer, pulling the AADSTS code and the trace
    /// and correlation ids out of the description when they are not given separately.
    pub fn from_parts(error: &str, description: Option<&str>) -> Self {
        let description = description.unwrap_or_default().to_string();
        let aadsts = parse_aadsts(&description);
        let trace_id = line_value(&description, "Trace ID:");
        let correlation_id = line_value(&description, "Correlation ID:");
        Self {
            error: error.to_string(),
            aadsts,
            description,
            trace_id,
            correlation_id,
        }
    }

    /// Parses a token-endpoint error body (`error`, `error_description`, `error_codes`,
    /// `trace_id`, `correlation_id`); `None` when it is not one.
    pub fn from_body(body: &[u8]) -> Option<Self> {
        #[derive(serde::Deserialize)]
        struct Raw {
            error: String,
            #[serde(default)]
            error_description: Option<String>,
            #[serde(default)]
            error_codes: Vec<u32>,
            #[serde(default)]
            trace_id: Option<String>,
            #[serde(default)]
            correlation_id: Option<String>,
        }
        let raw: Raw = serde_json::from_slice(body).ok()?;
        let mut e = Self::from_parts(&raw.error, raw.error_description.as_deref());
        e.aadsts = raw.error_codes.first().copied().or(e.aadsts);
        e.trace_id = raw.trace_id.or(e.trace_id);
        e.correlation_id = raw.correlation_id.or(e.correlation_id);
        Some(e)
    }

    /// The first line of the description without the `AADSTSnnnn: ` prefix.
    pub fn summary(&self) -> &str {
        let first = self.description.lines().next().unwrap_or_default();
        match first.split_once(": ") {
            Some((prefix, rest)) if prefix.starts_with("AADSTS") => rest,
            _ if first.is_empty() => &self.error,
            _ => first,
        }
    }
}

fn parse_aadsts(description: &str) -> Option<u32> {
    let start = description.find("AADSTS")? + "AADSTS".len();
    let digits: String = description[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn line_value(description: &str, label: &str) -> Option<String> {
    description.lines().find_map(|line| {
        line.trim()
            .strip_prefix(label)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    })
}

/// Known AADSTS codes: stable code, plain message, hint. Codes from the identity platform's
/// "Microsoft Entra authentication and authorization error codes" page.
fn aadsts_advice(code: u32) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match code {
        7000218 => (
            "sign_in.public_client_flows_disabled",
            "The app registration does not allow sign-in from a desktop app.",
            "An administrator must enable 'Allow public client flows' on the app registration (Authentication page) — see docs/admin-setup.md.",
        ),
        50011 => (
            "sign_in.redirect_uri_not_registered",
            "The app registration does not list this app's sign-in address.",
            "An administrator must add the redirect URI http://localhost under 'Mobile and desktop applications' on the app registration.",
        ),
        700016 => (
            "sign_in.app_not_found",
            "This tenant has no app registration with the configured client id.",
            "Check the client id and the tenant in the settings file; the app must be registered in (or consented to by) this tenant.",
        ),
        90002 | 90023 => (
            "sign_in.tenant_not_found",
            "Microsoft does not know the configured tenant.",
            "Check the tenant id or domain in the settings file, and the cloud (Global, US Government, China).",
        ),
        65001 | 90094 | 90008 => (
            "sign_in.consent_required",
            "The app has not been granted the permissions it asks for in this tenant.",
            "An administrator must grant admin consent to the app registration's API permissions — see docs/admin-setup.md.",
        ),
        65004 => (
            "sign_in.consent_declined",
            "The permissions request was declined.",
            "Sign in again and accept, or ask an administrator to grant admin consent for the organisation.",
        ),
        50105 => (
            "sign_in.user_not_assigned",
            "Your account is not assigned to the Provisioning Desk app in this tenant.",
            "Ask an administrator to assign you to the app's enterprise application (Users and groups).",
        ),
        50020 => (
            "sign_in.wrong_tenant",
            "Your account does not belong to the configured tenant.",
            "Sign in with an account of that tenant, or check the tenant in the settings file.",
        ),
        50076 | 50079 | 50074 => (
            "sign_in.mfa_required",
            "Your organisation requires multifactor authentication for this sign-in.",
            "Sign in through the browser and complete the second factor.",
        ),
        53003 | 53000 | 53001 => (
            "sign_in.blocked_by_conditional_access",
            "A Conditional Access policy of your organisation blocked this sign-in.",
            "Sign in from a compliant device or network, or ask an administrator which policy applies.",
        ),
        70008 | 700082 | 700084 | 50173 | 50133 | 50132 => (
            "sign_in.session_expired",
            "Your saved sign-in has expired or was revoked.",
            "Sign in again.",
        ),
        70011 => (
            "sign_in.invalid_scope",
            "The app asked Microsoft for a permission it does not recognise.",
            "Check the cloud setting: sovereign clouds need their own Graph address in the scopes.",
        ),
        70016 => (
            "sign_in.pending",
            "Sign-in has not been completed yet.",
            "Finish the sign-in in the browser with the code shown.",
        ),
        50057 => (
            "sign_in.account_disabled",
            "This account is disabled.",
            "Sign in with another account, or ask an administrator to re-enable it.",
        ),
        50034 => (
            "sign_in.account_not_found",
            "This account does not exist in the configured tenant.",
            "Check the spelling of the account, or the tenant in the settings file.",
        ),
        50053 => (
            "sign_in.account_locked",
            "This account is temporarily locked after too many failed sign-ins.",
            "Wait a few minutes, then try again.",
        ),
        50126 => (
            "sign_in.bad_credentials",
            "The user name or password is wrong.",
            "Try again, or reset your password.",
        ),
        500011 => (
            "sign_in.resource_not_found",
            "Microsoft Graph is not available in this tenant's cloud under the configured address.",
            "Check the cloud setting (Global, US Government, China) in the settings file.",
        ),
        _ => return None,
    })
}

/// Everything that can go wrong in sign-in, the token cache and Graph calls.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- configuration ---------------------------------------------------------------------
    #[error("\"{value}\" is not a valid tenant: use the directory (tenant) id, a GUID, or a domain such as contoso.onmicrosoft.com.")]
    InvalidTenantId { value: String },

    #[error("\"{value}\" is not a valid application (client) id: it must be a GUID such as 00000000-0000-0000-0000-000000000000.")]
    InvalidClientId { value: String },

    #[error("Refusing to send anything to {url}: only https:// addresses (or http:// on this computer's loopback address) are allowed.")]
    InsecureUrl { url: String },

    #[error("The address \"{value}\" is not a valid URL: {reason}.")]
    InvalidUrl { value: String, reason: String },

    #[error("The settings file {} could not be used: {reason}.", path.display())]
    Config { path: PathBuf, reason: String },

    #[error("No settings file was found (looked in: {}).", .searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    ConfigNotFound { searched: Vec<PathBuf> },

    // --- sign-in -----------------------------------------------------------------------------
    #[error(
        "The sign-in answer did not belong to the sign-in this app started, so it was ignored."
    )]
    StateMismatch,

    #[error("Sign-in was cancelled{}.", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    SignInCancelled { description: Option<String> },

    #[error("Sign-in did not finish within {} minutes.", .waited.as_secs().div_ceil(60))]
    SignInTimedOut { waited: Duration },

    #[error("The browser returned an unexpected sign-in answer: {detail}.")]
    BadRedirect { detail: String },

    #[error("{}", identity_message(.0))]
    Identity(IdentityError),

    #[error("The sign-in code expired before it was used.")]
    DeviceCodeExpired,

    #[error("The sign-in with the code was declined.")]
    DeviceCodeDeclined,

    #[error("Your sign-in has expired or was revoked ({detail}).")]
    ReauthenticationRequired { detail: String },

    #[error("Not signed in.")]
    NotSignedIn,

    #[error("Could not listen for the browser's answer on this computer: {source}.")]
    LoopbackListener {
        #[source]
        source: std::io::Error,
    },

    #[error("Could not open the web browser: {detail}.")]
    BrowserLaunch { detail: String },

    #[error("The access token could not be read: {detail}.")]
    MalformedToken { detail: String },

    // --- keychain ----------------------------------------------------------------------------
    #[error("The system keychain is unavailable, so the sign-in cannot be remembered: {detail}.")]
    KeychainUnavailable { detail: String },

    #[error("The system keychain refused the operation: {detail}.")]
    Keychain { detail: String },

    // --- transport ---------------------------------------------------------------------------
    #[error("Could not reach {host}: {detail}.")]
    Network {
        host: String,
        detail: String,
        ids: RequestIds,
    },

    #[error("{host} did not answer in time.")]
    Timeout { host: String, ids: RequestIds },

    /// A request that must not be sent twice (a POST such as restore or revokeSignInSessions)
    /// reached the service, but its answer never came back; or an idempotent one was sent
    /// again after such a loss and the second answer (e.g. 404 to a DELETE) may only mean the
    /// first one worked. Nothing more was sent: the caller reads the state back.
    #[error("The request reached {host} but its answer was lost on the way back, so it is not known yet whether the change was made ({detail}).")]
    AnswerLost {
        host: String,
        detail: String,
        ids: RequestIds,
    },

    // --- Microsoft Graph ---------------------------------------------------------------------
    #[error("Microsoft Graph did not accept the sign-in: {message}")]
    Unauthorized { message: String, ids: RequestIds },

    #[error("You are not allowed to {}: {message}", .operation.map(|o| o.describe()).unwrap_or("do this"))]
    Forbidden {
        code: String,
        message: String,
        operation: Option<Operation>,
        ids: RequestIds,
    },

    #[error("Not found: {message}")]
    NotFound { message: String, ids: RequestIds },

    #[error("Microsoft Graph is throttling requests and the retry budget ran out{}.", .retry_after.map(|d| format!(" (it asked to wait {} s)", d.as_secs())).unwrap_or_default())]
    Throttled {
        retry_after: Option<Duration>,
        ids: RequestIds,
    },

    #[error(
        "Microsoft Graph is temporarily unavailable (HTTP {status}) and the retry budget ran out."
    )]
    Unavailable { status: u16, ids: RequestIds },

    /// Graph's 400 for a property that on-premises Active Directory owns (a synced person).
    #[error("This person is synced from your on-premises Active Directory, so Entra does not accept this change here (Microsoft: {message})")]
    OnPremisesMastered { message: String, ids: RequestIds },

    #[error("Microsoft Graph refused the request (HTTP {status}, {code}): {message}")]
    Graph {
        status: u16,
        code: String,
        message: String,
        ids: RequestIds,
    },

    #[error("Microsoft Graph sent an answer this app does not understand: {detail}")]
    UnexpectedResponse { detail: String, ids: RequestIds },

    // --- object connections (beta, entra-docs `manage-object-connections.md`) ---------------
    /// `409 Conflict` on DELETE: "DELETE was requested while the synchronization job was active".
    #[error("The app's automatic account sync is still running, and Entra forgets a link only while sync is paused (Microsoft: {message})")]
    JobStillActive { message: String, ids: RequestIds },

    /// `404`: "The synchronization job or requested object connection wasn't found, or the API
    /// isn't available for the job."
    #[error("Entra holds no link for this person in this app's sync, or this app's sync does not offer links (Microsoft: {message})")]
    NoObjectConnection { message: String, ids: RequestIds },

    /// `400`: "An identifier is invalid, or the request tries to list the object connections
    /// collection."
    #[error("Microsoft refused the identifier given for the link (Microsoft: {message})")]
    ObjectConnectionRefused { message: String, ids: RequestIds },
}

fn identity_message(e: &IdentityError) -> String {
    match e.aadsts.and_then(aadsts_advice) {
        Some((_, message, _)) => format!("{message} ({})", aadsts_label(e)),
        None => format!(
            "Microsoft refused the sign-in: {} ({})",
            e.summary(),
            aadsts_label(e)
        ),
    }
}

fn aadsts_label(e: &IdentityError) -> String {
    match e.aadsts {
        Some(code) => format!("AADSTS{code}"),
        None => e.error.clone(),
    }
}

/// What crosses the command boundary to the UI: `{ code, message, hint }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    pub hint: String,
}

impl Error {
    /// A stable machine code; the UI branches on this, never on the message.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidTenantId { .. } => "config.invalid_tenant_id",
            Error::InvalidClientId { .. } => "config.invalid_client_id",
            Error::InsecureUrl { .. } => "config.insecure_url",
            Error::InvalidUrl { .. } => "config.invalid_url",
            Error::Config { .. } => "config.unreadable",
            Error::ConfigNotFound { .. } => "config.not_found",
            Error::StateMismatch => "sign_in.state_mismatch",
            Error::SignInCancelled { .. } => "sign_in.cancelled",
            Error::SignInTimedOut { .. } => "sign_in.timed_out",
            Error::BadRedirect { .. } => "sign_in.bad_redirect",
            Error::Identity(e) => match e.aadsts.and_then(aadsts_advice) {
                Some((code, _, _)) => code,
                None => match e.error.as_str() {
                    "invalid_grant" | "interaction_required" | "login_required" => {
                        "sign_in.session_expired"
                    }
                    "temporarily_unavailable" | "server_error" => "sign_in.unavailable",
                    _ => "sign_in.rejected",
                },
            },
            Error::DeviceCodeExpired => "sign_in.device_code_expired",
            Error::DeviceCodeDeclined => "sign_in.device_code_declined",
            Error::ReauthenticationRequired { .. } => "sign_in.reauthentication_required",
            Error::NotSignedIn => "sign_in.not_signed_in",
            Error::LoopbackListener { .. } => "sign_in.loopback_unavailable",
            Error::BrowserLaunch { .. } => "sign_in.browser_unavailable",
            Error::MalformedToken { .. } => "sign_in.malformed_token",
            Error::KeychainUnavailable { .. } => "keychain.unavailable",
            Error::Keychain { .. } => "keychain.failed",
            Error::Network { .. } => "network.unreachable",
            Error::Timeout { .. } => "network.timeout",
            Error::AnswerLost { .. } => "graph.answer_lost",
            Error::Unauthorized { .. } => "graph.unauthorized",
            Error::Forbidden { .. } => "graph.forbidden",
            Error::NotFound { .. } => "graph.not_found",
            Error::Throttled { .. } => "graph.throttled",
            Error::Unavailable { .. } => "graph.unavailable",
            Error::OnPremisesMastered { .. } => "graph.on_premises_mastered",
            Error::Graph { .. } => "graph.rejected",
            Error::UnexpectedResponse { .. } => "graph.unexpected_response",
            Error::JobStillActive { .. } => "graph.job_still_active",
            Error::NoObjectConnection { .. } => "graph.no_object_connection",
            Error::ObjectConnectionRefused { .. } => "graph.object_connection_refused",
        }
    }

    /// What the person can do about it, in one or two plain sentences.
    pub fn hint(&self) -> String {
        match self {
            Error::InvalidTenantId { .. } | Error::InvalidClientId { .. } => {
                "Copy the value from the app registration's Overview page in the Entra admin center.".into()
            }
            Error::InsecureUrl { .. } => {
                "Use the https:// address of the service; plain http:// is only for the training tenant on this computer.".into()
            }
            Error::InvalidUrl { .. } => "Check the address in the settings.".into(),
            Error::Config { .. } => {
                "Ask your IT department for a valid settings file (see docs/admin-setup.md for its format).".into()
            }
            Error::ConfigNotFound { .. } => {
                "Enter the tenant and client id in Settings, or ask IT to deploy the settings file.".into()
            }
            Error::StateMismatch => {
                "Start the sign-in again from this app; close other sign-in tabs first.".into()
            }
            Error::SignInCancelled { .. } => "Start the sign-in again when you are ready.".into(),
            Error::SignInTimedOut { .. } => {
                "Start the sign-in again and finish it in the browser window that opens.".into()
            }
            Error::BadRedirect { .. } => "Start the sign-in again.".into(),
            Error::Identity(e) => match e.aadsts.and_then(aadsts_advice) {
                Some((_, _, hint)) => hint.into(),
                None => match e.error.as_str() {
                    "invalid_grant" | "interaction_required" | "login_required" => {
                        "Sign in again.".into()
                    }
                    "temporarily_unavailable" | "server_error" => {
                        "Microsoft's sign-in service had a problem; try again in a minute.".into()
                    }
                    _ => {
                        let mut hint = String::from("If this keeps happening, give your administrator the error text");
                        if let Some(c) = &e.correlation_id {
                            hint.push_str(&format!(" and the correlation id {c}"));
                        }
                        hint.push('.');
                        hint
                    }
                },
            },
            Error::DeviceCodeExpired => {
                "Start again and enter the new code within 15 minutes.".into()
            }
            Error::DeviceCodeDeclined => {
                "If that was not you, tell your administrator; otherwise start again.".into()
            }
            Error::ReauthenticationRequired { .. } | Error::NotSignedIn => "Sign in again.".into(),
            Error::LoopbackListener { .. } | Error::BrowserLaunch { .. } => {
                "Use 'Sign in with a code' instead: it works without a browser on this computer.".into()
            }
            Error::MalformedToken { .. } => "Sign out and sign in again.".into(),
            Error::KeychainUnavailable { .. } => {
                "Choose 'Sign in for this session only' (nothing is saved), or start the system keychain (on Linux: a Secret Service such as GNOME Keyring or KeePassXC) and try again.".into()
            }
            Error::Keychain { .. } => {
                "Unlock the system keychain and try again, or sign in for this session only.".into()
            }
            Error::Network { .. } => {
                "Check the network connection (and proxy settings), then try again.".into()
            }
            Error::Timeout { .. } => "Try again; if it keeps timing out, check the network.".into(),
            Error::AnswerLost { .. } => {
                "It was not sent again. Look the person up again to see whether the change was made before you try it again.".into()
            }
            Error::Unauthorized { .. } => "Sign in again.".into(),
            Error::Forbidden { operation, .. } => match operation {
                Some(op) => op.requirement().ask_for_sentence(),
                None => "Ask an administrator for the Entra role this action needs.".into(),
            },
            Error::NotFound { .. } => {
                "Check the name or id; a recently created or changed object can take a few minutes to appear.".into()
            }
            Error::Throttled { retry_after, .. } => match retry_after {
                Some(d) => format!("Wait about {} seconds, then try again.", d.as_secs().max(1)),
                None => "Wait a minute, then try again.".into(),
            },
            Error::Unavailable { .. } => "Try again in a few minutes.".into(),
            Error::OnPremisesMastered { .. } => "This person is synced from your on-premises Active Directory; change this there — it reaches Entra at the next directory sync.".into(),
            Error::JobStillActive { .. } => "Pause the app's sync and wait until it reads as paused (a round under way finishes first), then try again; start it again afterwards.".into(),
            Error::NoObjectConnection { .. } => "Nothing needs forgetting: the next sync round, or a sync now for this person, matches them afresh.".into(),
            Error::ObjectConnectionRefused { .. } => "Use the person's Entra object id (or the app account's id); the link of one known person can be read or forgotten, never a list of them.".into(),
            Error::Graph { ids, .. } | Error::UnexpectedResponse { ids, .. } => {
                let ids = ids.to_string();
                if ids.is_empty() {
                    "If this keeps happening, report it with the error text.".into()
                } else {
                    format!("If this keeps happening, report it with these identifiers: {ids}.")
                }
            }
        }
    }

    /// The identifiers of the failed request, for errors that came from Graph.
    pub fn request_ids(&self) -> Option<&RequestIds> {
        match self {
            Error::Network { ids, .. }
            | Error::Timeout { ids, .. }
            | Error::AnswerLost { ids, .. }
            | Error::Unauthorized { ids, .. }
            | Error::Forbidden { ids, .. }
            | Error::NotFound { ids, .. }
            | Error::Throttled { ids, .. }
            | Error::Unavailable { ids, .. }
            | Error::Graph { ids, .. }
            | Error::OnPremisesMastered { ids, .. }
            | Error::UnexpectedResponse { ids, .. }
            | Error::JobStillActive { ids, .. }
            | Error::NoObjectConnection { ids, .. }
            | Error::ObjectConnectionRefused { ids, .. } => Some(ids),
            _ => None,
        }
    }

    /// `{ code, message, hint }` for the command boundary.
    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_string(),
            message: self.to_string(),
            hint: self.hint(),
        }
    }

    /// True when trying again later, unchanged, may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Network { .. }
                | Error::Timeout { .. }
                | Error::Throttled { .. }
                | Error::Unavailable { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE_DESCRIPTION: &str = "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope https://foo.microsoft.com/mail.read is not valid.\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2016-01-09 02:02:12Z";

    #[test]
    fn aadsts_code_and_ids_come_out_of_the_description() {
        let e = IdentityError::from_parts("invalid_scope", Some(FIXTURE_DESCRIPTION));
        assert_eq!(e.aadsts, Some(70011));
        assert_eq!(
            e.trace_id.as_deref(),
            Some("0000aaaa-11bb-cccc-dd22-eeeeee333333")
        );
        assert_eq!(
            e.correlation_id.as_deref(),
            Some("aaaa0000-bb11-2222-33cc-444444dddddd")
        );
        assert!(e.summary().starts_with("The provided value"));
    }

    #[test]
    fn public_client_flows_error_says_what_to_enable() {
        let e = Error::Identity(IdentityError::from_parts(
            "invalid_client",
            Some("AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
        ));
        assert_eq!(e.code(), "sign_in.public_client_flows_disabled");
        assert!(e.hint().contains("Allow public client flows"));
        assert!(e.to_string().contains("AADSTS7000218"));
    }

    #[test]
    fn unknown_aadsts_falls_back_to_oauth_error() {
        let e = Error::Identity(IdentityError::from_parts(
            "invalid_grant",
            Some("AADSTS9999999: something new"),
        ));
        assert_eq!(e.code(), "sign_in.session_expired");
        let e = Error::Identity(IdentityError::from_parts("weird", None));
        assert_eq!(e.code(), "sign_in.rejected");
    }

    #[test]
    fn forbidden_hint_names_the_role() {
        let e = Error::Forbidden {
            code: "Authorization_RequestDenied".into(),
            message: "Insufficient privileges to complete the operation.".into(),
            operation: Some(Operation::RestartSynchronizationJob),
            ids: RequestIds::default(),
        };
        assert_eq!(e.code(), "graph.forbidden");
        assert!(
            e.hint().contains("Application Administrator"),
            "{}",
            e.hint()
        );
        assert!(e.to_string().contains("restart"), "{e}");
    }

    #[test]
    fn payload_has_all_three_parts() {
        let p = Error::KeychainUnavailable {
            detail: "no Secret Service".into(),
        }
        .payload();
        assert_eq!(p.code, "keychain.unavailable");
        assert!(p.message.contains("keychain is unavailable"));
        assert!(p.hint.contains("this session only"));
    }
}
