//! One writer per output folder: OS file locks (`flock`) that the kernel releases when the process
//! ends, however it ends (SIGKILL, OOM kill, a crash). No lease, no heartbeat, no pid checks.
//!
//! Files in the output folder (all hidden):
//!
//! - `.valuereport.lock`, the folder lock: held **exclusively** by an unsharded run (`run` or
//!   `renewals`) and by `manifest merge`, **shared** by the shards of a shard set. Its content names
//!   the exclusive holder (one JSON line: pid, host, what, since).
//! - `.valuereport-K-of-N.lock`: held exclusively by shard K of N for the whole run (so one shard
//!   never runs twice at once); its content names that shard's holder. A shard set is "running"
//!   while any of these files of its N is locked.
//! - `.valuereport.gate`: held exclusively for the few milliseconds it takes to acquire or release
//!   the others, so that "no shard of another N is running" is checked and the lock taken in one
//!   step. It is never removed.
//!
//! Rules: an unsharded run needs the folder lock exclusively, so it excludes every other run and
//! every shard. Shard K of N needs the folder lock shared, its own shard file exclusively, and no
//! locked shard file of another N. A run that can't have what it needs does not wait: it fails with
//! [`LockError::Held`], naming the holders (exit code 75).
//!
//! The lock files are removed by the last holder on release (so a finished run leaves only the
//! gate). Locks survive the removal race because an acquirer checks, once it holds a lock, that the
//! path still names the file it locked, and starts over if not.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::plan::Shard;

pub const FOLDER_LOCK: &str = ".valuereport.lock";
pub const GATE: &str = ".valuereport.gate";

/// How long to wait for the gate (held only while another process takes or releases its lock).
const GATE_WAIT: Duration = Duration::from_secs(10);

/// Who wants the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An unsharded run or `manifest merge`: the folder alone.
    Exclusive,
    /// Shard K of N: alongside the other shards of N only.
    Shard(Shard),
}

/// What a lock file says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderInfo {
    pub pid: u32,
    pub host: String,
    /// `renewals, unsharded`, `run, shard 2 of 4`, `manifest merge`.
    pub what: String,
    /// UTC, when the lock was taken.
    pub since: String,
}

impl std::fmt::Display for HolderInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {} on host {}: {}, since {}", self.pid, self.host, self.what, self.since)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}: another valuereport process holds this output folder ({}); nothing was written. It is released when that process ends: try again later", dir.display(), holders.join("; "))]
    Held { dir: PathBuf, holders: Vec<String> },
    #[error("{}: cannot create the lock file: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// The folder, held until dropped.
#[derive(Debug)]
pub struct FolderLock {
    dir: PathBuf,
    role: Role,
    folder: Option<File>,
    shard: Option<File>,
}

fn open(path: &Path) -> Result<File, LockError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|source| LockError::Io { path: path.to_path_buf(), source })
}

/// Whether another process holds the existing lock file `path` (a file that is gone is not held).
/// Never creates the file. When it is not held, `f` runs while we hold it exclusively.
fn held_by_other(path: &Path, f: impl FnOnce()) -> Result<bool, LockError> {
    let file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => return Err(LockError::Io { path: path.to_path_buf(), source }),
    };
    match file.try_lock() {
        Ok(()) => {
            if still_named(&file, path) {
                f();
            }
            Ok(false)
        }
        Err(TryLockError::WouldBlock) => Ok(true),
        Err(TryLockError::Error(source)) => Err(LockError::Io { path: path.to_path_buf(), source }),
    }
}

/// Whether `path` still names the file `file` has open (it may have been removed by its last
/// holder between our open and our lock).
fn still_named(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[derive(Clone, Copy)]
enum Mode {
    Exclusive,
    Shared,
}

/// Opens `path` and tries to lock it; `Ok(None)` when another process holds a conflicting lock.
fn try_lock_path(path: &Path, mode: Mode) -> Result<Option<File>, LockError> {
    loop {
        let file = open(path)?;
        let result = match mode {
            Mode::Exclusive => file.try_lock(),
            Mode::Shared => file.try_lock_shared(),
        };
        match result {
            Ok(()) if still_named(&file, path) => return Ok(Some(file)),
            Ok(()) => continue,
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(source)) => return Err(LockError::Io { path: path.to_path_buf(), source }),
        }
    }
}

fn read_holder(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    match serde_json::from_str::<HolderInfo>(text.trim()) {
        Ok(info) => info.to_string(),
        Err(_) => format!("{} (holder not recorded yet)", path.file_name().unwrap_or_default().to_string_lossy()),
    }
}

fn write_holder(file: &mut File, what: &str) {
    let info = HolderInfo {
        pid: std::process::id(),
        host: super::output::host(),
        what: what.to_string(),
        since: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    let line = serde_json::to_string(&info).expect("serializes") + "\n";
    // Best effort: the lock is the flock, the content only names it.
    let _ = file.set_len(0);
    let _ = std::io::Seek::seek(file, std::io::SeekFrom::Start(0));
    let _ = file.write_all(line.as_bytes());
}

/// `.valuereport-K-of-N.lock` files in `dir`: (path, shard).
fn shard_files(dir: &Path) -> Vec<(PathBuf, Shard)> {
    let mut files: Vec<(PathBuf, Shard)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let middle = name.strip_prefix(".valuereport-")?.strip_suffix(".lock")?;
            let (k, n) = middle.split_once("-of-")?;
            Some((entry.path(), Shard::new(k.parse().ok()?, n.parse().ok()?)?))
        })
        .collect();
    files.sort_by_key(|(_, s)| (s.count, s.index));
    files
}

pub fn shard_file_name(shard: Shard) -> String {
    format!(".valuereport-{}-of-{}.lock", shard.index, shard.count)
}

/// Holds `.valuereport.gate` while alive.
struct Gate(#[allow(dead_code)] File);

fn gate(dir: &Path) -> Result<Gate, LockError> {
    let path = dir.join(GATE);
    let file = open(&path)?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Gate(file)),
            Err(TryLockError::WouldBlock) if started.elapsed() < GATE_WAIT => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    dir: dir.to_path_buf(),
                    holders: vec![format!("{GATE} held for over {} s", GATE_WAIT.as_secs())],
                })
            }
            Err(TryLockError::Error(source)) => return Err(LockError::Io { path, source }),
        }
    }
}

impl FolderLock {
    /// Takes `dir` for `role` at once or fails. `what` says what the holder is doing
    /// (`renewals`, `run`, `manifest merge`); the role is added to it.
    pub fn acquire(dir: &Path, role: Role, what: &str) -> Result<FolderLock, LockError> {
        let folder_path = dir.join(FOLDER_LOCK);
        // Opened first, so an unwritable folder is reported as the lock file that can't be created.
        drop(open(&folder_path)?);
        let _gate = gate(dir)?;
        let held = |holders: Vec<String>| LockError::Held { dir: dir.to_path_buf(), holders };
        match role {
            Role::Exclusive => {
                let Some(mut folder) = try_lock_path(&folder_path, Mode::Exclusive)? else {
                    return Err(held(live_holders(dir, &folder_path)));
                };
                // Shard files of runs that are gone: no live shard can exist while we hold the folder.
                for (path, _) in shard_files(dir) {
                    let _ = held_by_other(&path, || {
                        let _ = fs::remove_file(&path);
                    });
                }
                let what = if what.contains("merge") { what.to_string() } else { format!("{what}, unsharded") };
                write_holder(&mut folder, &what);
                Ok(FolderLock { dir: dir.to_path_buf(), role, folder: Some(folder), shard: None })
            }
            Role::Shard(shard) => {
                let Some(folder) = try_lock_path(&folder_path, Mode::Shared)? else {
                    return Err(held(vec![read_holder(&folder_path)]));
                };
                let mut others = Vec::new();
                for (path, other) in shard_files(dir) {
                    if other.count == shard.count {
                        continue;
                    }
                    // A file left by a shard that is gone is removed; a live shard of another N refuses us.
                    let live = held_by_other(&path, || {
                        let _ = fs::remove_file(&path);
                    })?;
                    if live {
                        others.push(read_holder(&path));
                    }
                }
                if !others.is_empty() {
                    return Err(held(others));
                }
                let own_path = dir.join(shard_file_name(shard));
                let Some(mut own) = try_lock_path(&own_path, Mode::Exclusive)? else {
                    return Err(held(vec![read_holder(&own_path)]));
                };
                write_holder(&mut own, &format!("{what}, shard {} of {}", shard.index, shard.count));
                Ok(FolderLock { dir: dir.to_path_buf(), role, folder: Some(folder), shard: Some(own) })
            }
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }
}

/// The live holders named by the lock files (for an error message).
fn live_holders(dir: &Path, folder_path: &Path) -> Vec<String> {
    let shards: Vec<String> = shard_files(dir)
        .into_iter()
        .filter(|(path, _)| held_by_other(path, || {}).unwrap_or(false))
        .map(|(path, _)| read_holder(&path))
        .collect();
    if shards.is_empty() {
        vec![read_holder(folder_path)]
    } else {
        shards
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Under the gate, so no one takes a lock between our check and the removal.
        let _gate = gate(&self.dir).ok();
        if let Some(own) = self.shard.take() {
            let path = self.dir.join(match self.role {
                Role::Shard(shard) => shard_file_name(shard),
                Role::Exclusive => unreachable!("only shards have a shard file"),
            });
            if still_named(&own, &path) {
                let _ = fs::remove_file(&path);
            }
            drop(own);
        }
        if let Some(folder) = self.folder.take() {
            let path = self.dir.join(FOLDER_LOCK);
            // The last holder removes the file: a shard upgrades its shared lock to learn that it is.
            let last = match self.role {
                Role::Exclusive => true,
                Role::Shard(_) => folder.try_lock().is_ok(),
            };
            if last && still_named(&folder, &path) {
                let _ = fs::remove_file(&path);
            }
            drop(folder);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(k: u32, n: u32) -> Role {
        Role::Shard(Shard::new(k, n).unwrap())
    }

    #[test]
    fn one_writer_per_folder_whatever_the_shards() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let whole = FolderLock::acquire(d, Role::Exclusive, "renewals").unwrap();
        let error = FolderLock::acquire(d, shard(1, 2), "run").unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("renewals, unsharded") && text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        assert!(FolderLock::acquire(d, Role::Exclusive, "manifest merge").is_err());
        drop(whole);
        assert!(!d.join(FOLDER_LOCK).exists(), "released and removed");

        // Shards of one set together; not the same shard twice, not another set, not unsharded.
        let one = FolderLock::acquire(d, shard(1, 2), "run").unwrap();
        let two = FolderLock::acquire(d, shard(2, 2), "run").unwrap();
        assert!(FolderLock::acquire(d, shard(2, 2), "run").is_err());
        let error = FolderLock::acquire(d, shard(1, 3), "run").unwrap_err().to_string();
        assert!(error.contains("run, shard 1 of 2") && error.contains("run, shard 2 of 2"), "{error}");
        let error = FolderLock::acquire(d, Role::Exclusive, "renewals").unwrap_err().to_string();
        assert!(error.contains("shard 1 of 2"), "{error}");
        drop(one);
        assert!(d.join(FOLDER_LOCK).exists(), "shard 2/2 still holds it");
        assert!(FolderLock::acquire(d, Role::Exclusive, "renewals").is_err());
        drop(two);
        let names: Vec<String> =
            fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names, [GATE], "only the gate stays");
        drop(FolderLock::acquire(d, shard(1, 3), "run").unwrap());
    }

    #[test]
    fn lock_files_left_by_killed_runs_do_not_hold_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // What SIGKILL leaves: the files, with their holders, but no flock.
        fs::write(
            d.join(FOLDER_LOCK),
            "{\"pid\":4000000000,\"host\":\"gone\",\"what\":\"renewals, unsharded\",\"since\":\"x\"}\n",
        )
        .unwrap();
        fs::write(d.join(".valuereport-1-of-3.lock"), "{}").unwrap();
        let lock = FolderLock::acquire(d, shard(2, 2), "run").unwrap();
        assert!(!d.join(".valuereport-1-of-3.lock").exists(), "another set's dead shard file is removed");
        drop(lock);
        fs::write(d.join(".valuereport-1-of-3.lock"), "{}").unwrap();
        drop(FolderLock::acquire(d, Role::Exclusive, "renewals").unwrap());
        let names: Vec<String> =
            fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names, [GATE]);
    }
}
