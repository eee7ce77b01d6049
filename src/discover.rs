//! Discover: which folders under INPUT are customers.
//!
//! Every directory that holds an `account.csv` is one customer, at any depth. The result is sorted,
//! so the order the file system lists entries in never affects anything downstream.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::load::{ACCOUNT_FILE, GOALS_FILE, METRICS_FILE};

/// What a walk of INPUT found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// Customer folders, sorted by path.
    pub customers: Vec<PathBuf>,
    /// Entries not followed by design (symbolic links) or not customer folders (customer files but
    /// no account.csv), with the reason: warnings.
    pub skipped: Vec<(PathBuf, String)>,
    /// Entries the walk could not read (permissions, a path beyond the system's limit, I/O
    /// errors), with the reason. A customer may be in one, so the run fails (exit 1) after
    /// processing the others: nothing is lost silently.
    pub unreadable: Vec<(PathBuf, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{}: input folder not found", .0.display())]
    NotFound(PathBuf),
    #[error("{}: input is not a folder", .0.display())]
    NotADirectory(PathBuf),
}

/// Walks `root` recursively. Symbolic links are not followed (a link can point outside INPUT or into a
/// loop); they are listed in `skipped`.
pub fn discover(root: &Path) -> Result<Discovery, DiscoverError> {
    let meta = std::fs::metadata(root).map_err(|_| DiscoverError::NotFound(root.to_path_buf()))?;
    if !meta.is_dir() {
        return Err(DiscoverError::NotADirectory(root.to_path_buf()));
    }
    let mut found = Discovery::default();
    let mut orphans = Vec::new();
    for entry in WalkDir::new(root).follow_links(false).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(root).to_path_buf();
                let reason = e.io_error().map_or_else(|| e.to_string(), |io| io.to_string());
                found.unreadable.push((path, reason));
                continue;
            }
        };
        let kind = entry.file_type();
        if kind.is_symlink() {
            found.skipped.push((entry.path().to_path_buf(), "symbolic link, not followed".to_string()));
        } else if kind.is_file() && entry.file_name() == ACCOUNT_FILE {
            if let Some(parent) = entry.path().parent() {
                found.customers.push(parent.to_path_buf());
            }
        } else if kind.is_file() && (entry.file_name() == GOALS_FILE || entry.file_name() == METRICS_FILE) {
            if let Some(parent) = entry.path().parent() {
                orphans.push(parent.to_path_buf());
            }
        }
    }
    found.customers.sort();
    // Customer files without an account.csv are most likely an export that lost one: say so.
    orphans.sort();
    orphans.dedup();
    for dir in orphans {
        if found.customers.binary_search(&dir).is_err() {
            found.skipped.push((dir, format!("has customer files but no {ACCOUNT_FILE}: not a customer folder")));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_customers_at_any_depth_in_sorted_order() {
        let root = tempfile::tempdir().unwrap();
        for dir in ["emea/zeta", "amer/acme", "solo", "amer/acme/nested", "empty/deeper"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        for dir in ["emea/zeta", "amer/acme", "solo", "amer/acme/nested"] {
            std::fs::write(root.path().join(dir).join(ACCOUNT_FILE), "customer_id\n").unwrap();
        }
        std::fs::write(root.path().join("empty/deeper/goals.csv"), "").unwrap();
        std::fs::write(root.path().join("empty/notes.txt"), "").unwrap();
        let found = discover(root.path()).unwrap();
        let names: Vec<String> = found
            .customers
            .iter()
            .map(|p| p.strip_prefix(root.path()).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["amer/acme", "amer/acme/nested", "emea/zeta", "solo"]);
        // A folder with goals.csv but no account.csv is reported; stray files are ignored.
        assert_eq!(found.skipped.len(), 1);
        assert_eq!(found.skipped[0].0, root.path().join("empty/deeper"));
        assert!(found.skipped[0].1.contains("no account.csv"));
    }

    #[test]
    fn missing_input_is_an_error() {
        assert!(matches!(discover(Path::new("/nonexistent/valuereport")), Err(DiscoverError::NotFound(_))));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_listed_not_followed() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("a")).unwrap();
        std::fs::write(root.path().join("a").join(ACCOUNT_FILE), "").unwrap();
        std::os::unix::fs::symlink(root.path(), root.path().join("a/loop")).unwrap();
        let found = discover(root.path()).unwrap();
        assert_eq!(found.customers, [root.path().join("a")]);
        assert_eq!(found.skipped.len(), 1);
        assert!(found.skipped[0].1.contains("symbolic link"));
    }
}
