//! Files that say what was done to whom (the journal, its exports) are for the person who made
//! them: on unix they are created with mode 0600, in folders created with mode 0700.
//!
//! Only what is created here gets these modes. A folder or file that already exists keeps its
//! own: the journal or an export placed in a shared folder on purpose, or the Downloads folder,
//! is not changed behind the person's back. SQLite gives the journal's `-wal` and `-shm` files
//! the mode of the database file, so they follow it.

use std::fs::{DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

/// Mode of the folders created for the journal and exports: the owner only.
pub const PRIVATE_FOLDER_MODE: u32 = 0o700;
/// Mode of the journal and export files created: the owner reads and writes, nobody else.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Creates `path` and its missing parents, each new one with [`PRIVATE_FOLDER_MODE`].
pub fn create_private_folder(path: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(PRIVATE_FOLDER_MODE);
    builder.create(path)
}

/// Creates `path` as an empty file with [`PRIVATE_FILE_MODE`] if it does not exist; an existing
/// file is neither changed nor truncated.
pub fn create_private_file(path: &Path) -> io::Result<()> {
    private_options().append(true).open(path).map(drop)
}

/// Writes `bytes` to `path` (replacing what it held); a new file gets [`PRIVATE_FILE_MODE`].
pub fn write_private_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = private_options().write(true).truncate(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.create(true);
    #[cfg(unix)]
    options.mode(PRIVATE_FILE_MODE);
    options
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_folders_and_files_are_the_owners_only_and_existing_ones_keep_their_mode() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();

        let nested = shared.join("a").join("b");
        create_private_folder(&nested).unwrap();
        assert_eq!(mode(&shared.join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        assert_eq!(mode(&shared), 0o755, "an existing folder is left as it was");

        let export = nested.join("export.csv");
        write_private_file(&export, b"a,b\n").unwrap();
        assert_eq!(mode(&export), 0o600);
        assert_eq!(std::fs::read(&export).unwrap(), b"a,b\n");

        let kept = nested.join("kept.txt");
        std::fs::write(&kept, b"keep").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
        create_private_file(&kept).unwrap();
        assert_eq!(std::fs::read(&kept).unwrap(), b"keep", "not truncated");
        assert_eq!(mode(&kept), 0o640);
    }
}
