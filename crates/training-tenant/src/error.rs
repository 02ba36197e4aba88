use std::net::SocketAddr;

/// Everything that can go wrong when starting or running the training tenant.
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
}
