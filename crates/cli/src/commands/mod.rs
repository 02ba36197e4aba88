//! One module per group of commands; each handler returns the exit code.

pub mod apps;
pub mod bulk;
pub mod journal;
pub mod people;
pub mod relink;
pub mod session;
pub mod sync;
pub mod training;
