//! Input fingerprints: a report is re-rendered only when something it is made from changed.
//!
//! A fingerprint is the SHA-256 of: the program (version and the embedded fonts), the wording catalog,
//! `valuereport.toml`, the bytes of every file of the customer folder, and what the report is (kind,
//! quarter, paper, and for a T-30 package the package it follows up).

use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::load::{
    ACCOUNT_FILE, GOALS_FILE, HEALTH_FILE, METRICS_FILE, METRIC_LABELS_FILE, NPS_FILE, OPPORTUNITIES_FILE, STORIES_FILE,
};

/// Hashes the program itself: version and embedded fonts (computed once per process).
fn program_id() -> &'static [u8; 32] {
    static ID: OnceLock<[u8; 32]> = OnceLock::new();
    ID.get_or_init(|| {
        let mut hash = Sha256::new();
        hash.update(env!("CARGO_PKG_VERSION").as_bytes());
        for face in crate::render::fonts::FaceId::ALL {
            hash.update(crate::render::fonts::FontSet::source_bytes(face));
        }
        hash.finalize().into()
    })
}

/// SHA-256 of the customer folder's files (the five of the report, health.csv, nps.csv and metric_labels.csv) (name, size and bytes; "absent" for a missing one).
///
/// Hardening: the files are hashed as the loader reads them, never through a link and only when
/// they are plain files within the size limit, streamed in chunks. `std::fs::read` used to follow
/// a `stories.csv` linked to /dev/zero until memory ran out, and to block forever on a named pipe.
/// Such a file is hashed as a marker (with its size), and the loader then reports it.
pub fn customer_files(dir: &Path) -> std::io::Result<[u8; 32]> {
    let max_bytes = crate::load::Limits::from_env().map_or(crate::load::DEFAULT_MAX_FILE_BYTES, |l| l.max_file_bytes);
    let mut hash = Sha256::new();
    let names =
        [ACCOUNT_FILE, GOALS_FILE, METRICS_FILE, STORIES_FILE, OPPORTUNITIES_FILE, HEALTH_FILE, NPS_FILE, METRIC_LABELS_FILE];
    for name in names {
        hash.update(name.as_bytes());
        let path = dir.join(name);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                hash.update(b"absent");
                continue;
            }
            Err(e) => return Err(e),
        };
        if meta.file_type().is_symlink() {
            hash.update(b"link");
            hash.update(std::fs::read_link(&path)?.as_os_str().as_encoded_bytes());
        } else if !meta.is_file() {
            hash.update(b"not a file");
        } else if meta.len() > max_bytes {
            hash.update(b"too large");
            hash.update(meta.len().to_le_bytes());
        } else {
            let mut contents = Sha256::new();
            let length = std::io::copy(&mut std::fs::File::open(&path)?.take(max_bytes), &mut contents)?;
            hash.update(length.to_le_bytes());
            hash.update(contents.finalize());
        }
    }
    Ok(hash.finalize().into())
}

/// The fingerprint of one report: hex SHA-256 of the program, then every part in order.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    hash.update(program_id());
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hex(&hash.finalize())
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_to_any_file_changes_the_hash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(ACCOUNT_FILE), "a").unwrap();
        let first = customer_files(dir.path()).unwrap();
        assert_eq!(first, customer_files(dir.path()).unwrap());
        std::fs::write(dir.path().join(STORIES_FILE), "").unwrap();
        let with_empty_stories = customer_files(dir.path()).unwrap();
        assert_ne!(first, with_empty_stories, "an empty file is not an absent file");
        std::fs::write(dir.path().join(ACCOUNT_FILE), "b").unwrap();
        assert_ne!(with_empty_stories, customer_files(dir.path()).unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn links_pipes_and_devices_are_hashed_without_being_read() {
        // Regression (hardening): a stories.csv linked to /dev/zero was read until memory ran out,
        // and a named pipe blocked the run forever.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(ACCOUNT_FILE), "a").unwrap();
        let plain = customer_files(dir.path()).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join(STORIES_FILE)).unwrap();
        let linked = customer_files(dir.path()).unwrap();
        assert_ne!(plain, linked);
        std::fs::remove_file(dir.path().join(STORIES_FILE)).unwrap();
        let fifo = std::process::Command::new("mkfifo").arg(dir.path().join(STORIES_FILE)).status();
        if fifo.is_ok_and(|s| s.success()) {
            assert_ne!(customer_files(dir.path()).unwrap(), plain);
        }
    }

    #[test]
    fn parts_are_delimited() {
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
        assert_eq!(fingerprint(&[b"x"]).len(), 64);
    }
}
