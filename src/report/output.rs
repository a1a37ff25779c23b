//! Writing outputs: to stdout, or to a file through a temporary name in the
//! same directory and a rename, so a failure never leaves half a report.
//!
//! What `-o` names decides how it is written:
//! - a regular file (or a name that does not exist yet) is replaced
//!   atomically: a temporary file beside it, then a rename;
//! - a symlink is followed, and the file it points to is replaced (the link
//!   stays a link);
//! - a device, a FIFO or a socket (`/dev/null`, `/dev/stdout`, a named pipe)
//!   is written through, never replaced by a regular file.
//!
//! Temporary files are registered while they exist, so that SIGINT, SIGTERM
//! or SIGHUP in the middle of a long write removes them before the process
//! exits ([`install_signal_cleanup`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where a command's output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Stdout,
    File(PathBuf),
}

impl Target {
    /// `-` or no `-o` means stdout.
    pub fn from_arg(arg: Option<&Path>) -> Target {
        match arg {
            None => Target::Stdout,
            Some(p) if p == Path::new("-") => Target::Stdout,
            Some(p) => Target::File(p.to_path_buf()),
        }
    }

    /// Whether output goes to a terminal (for colour).
    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        matches!(self, Target::Stdout) && std::io::stdout().is_terminal()
    }

    /// The input among `inputs` that this target would overwrite, if any:
    /// the same file (same device and inode) as an input, through any
    /// symlink. Writing a report over the estate it was computed from
    /// destroys the estate, so commands refuse it.
    pub fn overwrites_input<'i>(&self, inputs: &'i [PathBuf]) -> Option<&'i Path> {
        let Target::File(path) = self else {
            return None;
        };
        let target = std::fs::metadata(path).ok()?;
        if !target.is_file() {
            return None;
        }
        inputs
            .iter()
            .find(|input| std::fs::metadata(input).is_ok_and(|m| same_file(&m, &target)))
            .map(PathBuf::as_path)
    }
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// Writes `bytes` to `target`: stdout, a device or FIFO written through, or
/// a regular file replaced atomically (through symlinks).
pub fn write_output(target: &Target, bytes: &[u8]) -> std::io::Result<()> {
    match target {
        Target::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()
        }
        Target::File(path) => write_file(path, bytes),
    }
}

/// Writes `bytes` to the file `path` names, choosing how by what it is (see
/// the module documentation).
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => write_through(path, bytes),
        Ok(_) => write_atomically(&std::fs::canonicalize(path)?, bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            write_atomically(&resolve_dangling(path)?, bytes)
        }
        Err(e) => Err(e),
    }
}

/// Opens a device, FIFO or socket and writes into it (no truncation, no
/// rename). A full device reports its error (ENOSPC) to the caller.
fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// Follows a chain of symlinks that ends at a name that does not exist yet,
/// so the report is created where the last link points. At most 40 links,
/// as the kernel allows.
fn resolve_dangling(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(format!(
        "too many levels of symbolic links at {}",
        path.display()
    )))
}

/// Temporary files being written, removed by the signal handler.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Writes to a temporary file beside `path`, then renames it over `path`.
/// `path` must not be a symlink (callers resolve it first).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = create_registered_temp(dir)?;
    let tmp_path = tmp.path().to_path_buf();
    // On an error the temporary file is dropped, which deletes it.
    let result = fill(tmp, path, bytes).and_then(|tmp| match tmp.persist(path) {
        Ok(_) => Ok(()),
        Err(e) => Err(e.error),
    });
    unregister(&tmp_path);
    result
}

/// Writes the bytes, gives the file the mode the report will keep, and
/// syncs it, so the rename that follows publishes a complete file.
fn fill(
    mut tmp: tempfile::NamedTempFile,
    path: &Path,
    bytes: &[u8],
) -> std::io::Result<tempfile::NamedTempFile> {
    tmp.write_all(bytes)?;
    if let Some(mode) = permissions_for(path) {
        tmp.as_file().set_permissions(mode)?;
    }
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// A temporary file that the signal handler knows about. Created under the
/// lock, so that a signal never leaves a file that is not yet registered.
fn create_registered_temp(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut pending = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    let tmp = tempfile::Builder::new()
        .prefix(".blastmap-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    pending.push(tmp.path().to_path_buf());
    Ok(tmp)
}

fn unregister(path: &Path) {
    let mut pending = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    pending.retain(|p| p != path);
}

/// Removes the temporary files being written when the process is told to
/// stop (SIGINT, SIGTERM, SIGHUP), then exits with 128 + the signal's
/// number, as a shell would report it. Call once, from `main`.
pub fn install_signal_cleanup() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            tracing::debug!("cannot install signal handlers; temporary files may stay on a signal");
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until exit: no new temporary file after the cleanup.
                let pending = PENDING.lock().unwrap_or_else(|p| p.into_inner());
                for path in pending.iter() {
                    let _ = std::fs::remove_file(path);
                }
                std::process::exit(128 + signal);
            }
        });
    }
}

/// The mode a replaced file keeps, or `rw-r--r--` for a new one (the
/// temporary file is created private, which a report should not stay).
fn permissions_for(path: &Path) -> Option<std::fs::Permissions> {
    if let Ok(meta) = std::fs::metadata(path) {
        return Some(meta.permissions());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let fresh = dir.path().join("fresh.json");
            write_atomically(&fresh, b"x").unwrap();
            let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
        assert!(PENDING
            .lock()
            .unwrap()
            .iter()
            .all(|p| !p.starts_with(dir.path())));
    }

    #[test]
    fn failed_write_leaves_the_old_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir").join("out.json");
        assert!(write_file(&missing, b"x").is_err());
        assert!(!missing.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_its_target_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_file(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_creates_the_file_it_points_to() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("made.json", &link).unwrap();
        write_file(&link, b"made").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("made.json")).unwrap(),
            "made"
        );
    }

    #[cfg(unix)]
    #[test]
    fn dev_null_is_written_through_not_replaced() {
        write_file(Path::new("/dev/null"), b"nothing").unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_device_reports_no_space() {
        let e = write_file(Path::new("/dev/full"), b"x").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(28), "{e}");
        assert!(!std::fs::metadata("/dev/full").unwrap().is_file());
    }

    #[test]
    fn a_target_that_is_an_input_is_found_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let estate = dir.path().join("estate.yaml");
        std::fs::write(&estate, "version: 1\n").unwrap();
        let other = dir.path().join("other.yaml");
        std::fs::write(&other, "version: 1\n").unwrap();
        let inputs = vec![estate.clone()];
        assert_eq!(
            Target::File(estate.clone()).overwrites_input(&inputs),
            Some(estate.as_path())
        );
        assert_eq!(Target::File(other).overwrites_input(&inputs), None);
        assert_eq!(Target::Stdout.overwrites_input(&inputs), None);
        #[cfg(unix)]
        {
            let link = dir.path().join("link.yaml");
            std::os::unix::fs::symlink(&estate, &link).unwrap();
            assert!(Target::File(link).overwrites_input(&inputs).is_some());
        }
    }
}
