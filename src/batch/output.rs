//! The output folder: atomic writes and the one-run-at-a-time lock.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed to disk, then
/// renamed over the final name. A crash, `kill -9` or a full disk never leaves a partial file under
/// the final name, nor replaces a good earlier file with a broken one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let temporary = temporary_for(path);
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

/// A lock or temporary file untouched for this long belongs to a run that is gone (crashed, killed,
/// or on a machine or container that no longer exists). Live runs refresh their lock every quarter of it.
pub const LEASE: Duration = Duration::from_secs(60);

/// Whether process `pid` is alive on this machine (Linux: it has a /proc entry).
fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
}

/// This machine's (or container's) name, to tell our own processes from those of other hosts that
/// share the output volume.
fn host() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

fn age(path: &Path) -> Option<Duration> {
    let modified = fs::metadata(path).ok()?.modified().ok()?;
    Some(SystemTime::now().duration_since(modified).unwrap_or_default())
}

/// This process's temporary file for `path`: `.NAME.HOST.PID.tmp` beside it (the form
/// [`remove_stale_temporaries`] recognizes).
fn temporary_for(path: &Path) -> PathBuf {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dir.join(format!(".{name}.{}.{}.tmp", host_tag(), std::process::id()))
}

/// The host name as it appears in temporary file names: letters, digits and '-' only.
fn host_tag() -> String {
    host().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

/// Removes temporary files (`.NAME.HOST.PID.tmp`) that runs killed mid-write left behind under `dir`:
/// those of a dead process of this host at once, any other only once older than [`LEASE`] (it may be
/// another host's write in progress).
pub fn remove_stale_temporaries(dir: &Path) {
    let here = host_tag();
    for entry in walkdir::WalkDir::new(dir).follow_links(false).into_iter().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy();
        let Some(stem) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else { continue };
        let mut parts = stem.rsplitn(3, '.');
        let (Some(pid), Some(host), Some(_)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        let dead_here = host == here && pid != std::process::id() && !alive(pid);
        if entry.file_type().is_file() && (dead_here || age(entry.path()).is_some_and(|a| a > LEASE)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Held while a run writes into an output folder; refreshed in the background, released on drop.
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
    stop: Option<mpsc::Sender<()>>,
    heartbeat: Option<std::thread::JoinHandle<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}: another valuereport run ({holder}) is writing to this output folder; wait for it to finish (a lock not refreshed for {} s is taken over)", path.display(), LEASE.as_secs())]
    Held { path: PathBuf, holder: String },
    #[error("{}: cannot create the lock file: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// Whether the lock at `path` (content "PID HOST") belongs to a run that is gone.
fn stale(path: &Path) -> bool {
    let text = fs::read_to_string(path).unwrap_or_default();
    let mut words = text.split_whitespace();
    let pid = words.next().and_then(|p| p.parse::<u32>().ok());
    let lock_host = words.next().unwrap_or_default();
    if age(path).is_none_or(|a| a > LEASE) {
        return true;
    }
    match pid {
        // On this host a pid can be checked; our own pid cannot be another live run (pid 1 in containers).
        Some(pid) if lock_host == host() => pid == std::process::id() || !alive(pid),
        // Another host's lock that is still being refreshed is live.
        Some(_) => false,
        // Unreadable or half-written, and fresh: a run is starting; leave it.
        None => false,
    }
}

/// Creates `path` holding `content`, failing with `AlreadyExists` if it exists. The content is
/// written to a temporary file first and linked into place, so the file never exists empty: a run
/// killed while taking the lock leaves no lock (only a temporary, removed by a later run), not an
/// empty one that would block the next runs for a lease. Where the file system has no hard links,
/// the file is created exclusively and then written.
fn create_with_content(path: &Path, content: &str) -> std::io::Result<()> {
    let temporary = temporary_for(path);
    fs::write(&temporary, content)?;
    let linked = fs::hard_link(&temporary, path);
    let _ = fs::remove_file(&temporary);
    match linked {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
            file.write_all(content.as_bytes())
        }
        result => result,
    }
}

impl OutputLock {
    /// Takes `dir/name` at once or fails; a lock left by a run that is gone is taken over.
    pub fn acquire(dir: &Path, name: &str) -> Result<OutputLock, LockError> {
        let path = dir.join(name);
        // Locks this process holds: a file with our own pid is stale only if it is not one of them.
        let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
        if held.contains(&path) {
            let holder = format!("this process, pid {}", std::process::id());
            return Err(LockError::Held { path, holder });
        }
        for _ in 0..2 {
            match create_with_content(&path, &format!("{} {}\n", std::process::id(), host())) {
                Ok(()) => {
                    let (stop, stopped) = mpsc::channel::<()>();
                    let beat_path = path.clone();
                    let heartbeat = std::thread::spawn(move || {
                        while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(LEASE / 4) {
                            if let Ok(file) = OpenOptions::new().write(true).open(&beat_path) {
                                let _ = file.set_modified(SystemTime::now());
                            }
                        }
                    });
                    held.insert(path.clone());
                    return Ok(OutputLock { path, stop: Some(stop), heartbeat: Some(heartbeat) });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if stale(&path) {
                        let _ = fs::remove_file(&path);
                    } else {
                        break;
                    }
                }
                Err(source) => return Err(LockError::Io { path, source }),
            }
        }
        let holder = fs::read_to_string(&path).ok().map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        let holder = holder.map_or("unknown".to_string(), |t| format!("pid and host: {t}"));
        Err(LockError::Held { path, holder })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(heartbeat) = self.heartbeat.take() {
            let _ = heartbeat.join();
        }
        let _ = fs::remove_file(&self.path);
        HELD.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.path);
    }
}

static HELD: std::sync::Mutex<std::collections::BTreeSet<PathBuf>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

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
        fs::create_dir(dir.path().join(format!(".report.pdf.{}.{}.tmp", host_tag(), std::process::id()))).unwrap();
        assert!(write_atomically(&path, b"broken").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"good");
    }

    fn set_age(path: &Path, age: Duration) {
        let file = OpenOptions::new().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
    }

    #[test]
    fn the_lock_is_exclusive_released_on_drop_and_stale_locks_are_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let lock = OutputLock::acquire(dir.path(), ".lock").unwrap();
        let error = OutputLock::acquire(dir.path(), ".lock").unwrap_err();
        assert!(error.to_string().contains(".lock") && error.to_string().contains("another valuereport run"));
        drop(lock);
        assert!(!dir.path().join(".lock").exists());
        let lock_path = dir.path().join(".lock");
        // A process of this host that no longer exists.
        fs::write(&lock_path, format!("4000000000 {}\n", host())).unwrap();
        drop(OutputLock::acquire(dir.path(), ".lock").unwrap());
        // Our own pid left by an earlier life of this container (pid 1 after a restart).
        fs::write(&lock_path, format!("{} {}\n", std::process::id(), host())).unwrap();
        drop(OutputLock::acquire(dir.path(), ".lock").unwrap());
        // Another host's lock: live while refreshed, stale once its lease ran out.
        fs::write(&lock_path, "1 some-other-pod\n").unwrap();
        assert!(OutputLock::acquire(dir.path(), ".lock").is_err());
        set_age(&lock_path, LEASE + Duration::from_secs(5));
        let lock = OutputLock::acquire(dir.path(), ".lock").unwrap();
        assert!(fs::read_to_string(lock.path()).unwrap().starts_with(&std::process::id().to_string()));
    }

    #[test]
    fn the_lock_file_never_exists_without_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let lock_path = dir.path().join(".lock");
        // What a run killed while taking the lock leaves: its temporary, never the lock itself.
        let orphan = dir.path().join(format!(".lock.{}.4000000000.tmp", host_tag()));
        fs::write(&orphan, "4000000000 here\n").unwrap();
        let lock = OutputLock::acquire(dir.path(), ".lock").unwrap();
        assert_eq!(fs::read_to_string(&lock_path).unwrap(), format!("{} {}\n", std::process::id(), host()));
        // Taking it left no temporary of its own.
        let own = dir.path().join(format!(".lock.{}.{}.tmp", host_tag(), std::process::id()));
        assert!(!own.exists());
        drop(lock);
        remove_stale_temporaries(dir.path());
        assert!(!orphan.exists());
        // create_with_content is exclusive.
        create_with_content(&lock_path, "a").unwrap();
        let error = create_with_content(&lock_path, "b").unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&lock_path).unwrap(), "a");
    }

    #[test]
    fn stale_temporaries_are_removed_live_and_foreign_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let here = host_tag();
        let dead_here = dir.path().join(format!(".a.pdf.{here}.4000000000.tmp"));
        let mine = dir.path().join(format!(".b.pdf.{here}.{}.tmp", std::process::id()));
        let foreign_fresh = dir.path().join(".c.pdf.other-pod.12.tmp");
        let foreign_old = dir.path().join(".d.pdf.other-pod.13.tmp");
        let not_ours = dir.path().join(".editor-swap.tmp");
        for path in [&dead_here, &mine, &foreign_fresh, &foreign_old, &not_ours] {
            fs::write(path, "x").unwrap();
        }
        set_age(&foreign_old, LEASE * 2);
        set_age(&not_ours, LEASE * 2);
        remove_stale_temporaries(dir.path());
        assert!(!dead_here.exists() && !foreign_old.exists());
        assert!(mine.exists() && foreign_fresh.exists() && not_ours.exists());
    }
}
