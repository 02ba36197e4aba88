use std::net::SocketAddr;

/// Everything that can go wrong when starting or running the training tenant.
///
/// Request-level failures are not errors of the crate: they are answered to the client in
/// Microsoft's own shapes (`graph::GraphError`, `identity::AadError`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the training tenant only listens on loopback (127.0.0.1 or ::1); {0} is not a loopback address")]
    NotLoopback(SocketAddr),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("there is no scenario named '{0}' (known: {known})", known = crate::scenario::NAMES.join(", "))]
    UnknownScenario(String),
    #[error("the scenario file is not valid: {0}")]
    InvalidScenario(String),
    #[error(
        "the control token must be at least {} characters of letters, digits, '-' or '_'",
        crate::control_guard::MIN_CHOSEN_TOKEN_LEN
    )]
    UnusableControlToken,
    #[error("the training signing key could not be loaded: {0}")]
    SigningKey(String),
}
