//! Helpers shared by unit tests.

use std::path::PathBuf;

/// `tests/fixtures`: verbatim JSON from Microsoft's docs (copied from shared/reference/fixtures).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
