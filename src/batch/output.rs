//! The output folder: atomic writes and the one-run-at-a-time lock.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed to disk, then
/// renamed over the final name. A crash, `kill -9` or a full disk never leaves a partial file under
/// the final name, nor replaces a good earlier file with a broken one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// Whether process `pid` is alive on this machine (Linux: it has a /proc entry).
fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
}

/// Removes temporary files (`.NAME.PID.tmp`) that runs killed mid-write left behind under `dir`.
pub fn remove_stale_temporaries(dir: &Path) {
    for entry in walkdir::WalkDir::new(dir).follow_links(false).into_iter().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy();
        let Some(stem) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else { continue };
        let pid = stem.rsplit('.').next().and_then(|p| p.parse::<u32>().ok());
        if entry.file_type().is_file() && pid.is_some_and(|pid| !alive(pid)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Held while a run writes into an output folder; released on drop.
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}: another valuereport run (pid {pid}) is writing to this output folder; wait for it, or remove the lock file if that process is gone", path.display())]
    Held { path: PathBuf, pid: u32 },
    #[error("{}: cannot create the lock file: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl OutputLock {
    /// Takes `dir/name` at once or fails; a lock left by a process that no longer exists is taken over.
    pub fn acquire(dir: &Path, name: &str) -> Result<OutputLock, LockError> {
        let path = dir.join(name);
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let io = |source| LockError::Io { path: path.clone(), source };
                    writeln!(file, "{}", std::process::id()).map_err(io)?;
                    return Ok(OutputLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(&path).ok().and_then(|t| t.trim().parse::<u32>().ok());
                    match holder {
                        Some(pid) if alive(pid) => return Err(LockError::Held { path, pid }),
                        // Stale (its process is gone) or unreadable half-written lock: take it over.
                        _ => {
                            let _ = fs::remove_file(&path);
                        }
                    }
                }
                Err(source) => return Err(LockError::Io { path, source }),
            }
        }
        let pid = fs::read_to_string(&path).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0);
        Err(LockError::Held { path, pid })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/report.pdf");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["report.pdf"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.pdf");
        write_atomically(&path, b"good").unwrap();
        // A folder where the temporary file should go makes the write fail.
        fs::create_dir(dir.path().join(format!(".report.pdf.{}.tmp", std::process::id()))).unwrap();
        assert!(write_atomically(&path, b"broken").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"good");
    }

    #[test]
    fn the_lock_is_exclusive_released_on_drop_and_stale_locks_are_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let lock = OutputLock::acquire(dir.path(), ".lock").unwrap();
        // Our own pid is alive: a second acquisition is refused and names the file.
        let error = OutputLock::acquire(dir.path(), ".lock").unwrap_err();
        assert!(error.to_string().contains(".lock") && error.to_string().contains("another valuereport run"));
        drop(lock);
        assert!(!dir.path().join(".lock").exists());
        // A lock left by a process that does not exist.
        fs::write(dir.path().join(".lock"), "4000000000\n").unwrap();
        let lock = OutputLock::acquire(dir.path(), ".lock").unwrap();
        assert_eq!(fs::read_to_string(lock.path()).unwrap().trim(), std::process::id().to_string());
    }

    #[test]
    fn stale_temporaries_are_removed_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".x.pdf.4000000000.tmp");
        let live = dir.path().join(format!(".y.pdf.{}.tmp", std::process::id()));
        fs::write(&stale, "x").unwrap();
        fs::write(&live, "y").unwrap();
        remove_stale_temporaries(dir.path());
        assert!(!stale.exists());
        assert!(live.exists());
    }
}
