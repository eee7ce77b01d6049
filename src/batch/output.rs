//! The output folder: atomic writes and the clean-up of temporary files left by killed runs. (The
//! one-writer lock is `lock.rs`.)

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed to disk, then
/// renamed over the final name. A crash, `kill -9` or a full disk never leaves a partial file under
/// the final name, nor replaces a good earlier file with a broken one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// [`write_atomically`] what `write` writes to the file (buffered), for files too large to hold in
/// memory whole first (the manifest of a large run).
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let temporary = temporary_for(path);
    let result = (|| {
        let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, fs::File::create(&temporary)?);
        write(&mut buffered)?;
        let file = buffered.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// A temporary file of another host untouched for this long belongs to a run that is gone (crashed,
/// killed, or on a machine or container that no longer exists).
pub const LEASE: Duration = Duration::from_secs(60);

/// Whether process `pid` is alive on this machine (Linux: it has a /proc entry).
fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
}

/// This machine's (or container's) name, to tell our own processes from those of other hosts that
/// share the output volume.
/// The entries directly in `dir` whose name `wanted` accepts, sorted by name.
pub fn files_named(dir: &Path, wanted: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| wanted(&n.to_string_lossy())))
        .collect();
    files.sort();
    files
}

pub fn host() -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::OpenOptions;

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
