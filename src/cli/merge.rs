//! `valuereport manifest merge`: the shard manifests of one run combined into manifest.json.

use std::path::Path;

use valuereport::batch::lock::{FolderLock, LockError, Role};
use valuereport::batch::manifest::{Manifest, MANIFEST_FILE};

use super::args::Format;
use super::{print_json, Done, Exit, Failure};

pub fn merge(out: &Path, format: Format) -> Done {
    let usage = |e: &dyn std::fmt::Display| Failure::usage(e.to_string());
    // Merging rewrites manifest.json: it takes the folder exclusively, like an unsharded run.
    std::fs::read_dir(out).map_err(|e| Failure::usage(format!("{}: {e}", out.display())))?;
    let _lock = FolderLock::acquire(out, Role::Exclusive, "manifest merge").map_err(|e| match e {
        e @ LockError::Held { .. } => Failure::unavailable(e.to_string()),
        e => usage(&e),
    })?;
    let entries = std::fs::read_dir(out).map_err(|e| Failure::usage(format!("{}: {e}", out.display())))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("manifest-") && n.contains("-of-") && n.ends_with(".json"))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(Failure::usage(format!("{}: no manifest-K-of-N.json files to merge", out.display())));
    }
    let mut parts = Vec::new();
    for name in &names {
        if let Some(manifest) = Manifest::load(&out.join(name)).map_err(|e| usage(&e))? {
            parts.push(manifest);
        }
    }
    let path = out.join(MANIFEST_FILE);
    let mut merged = Manifest::merge(parts).map_err(|e| usage(&e))?;
    // The ledger and output index already in manifest.json (e.g. from unsharded daily renewals) stay.
    let union = Manifest::load_folder(out).map_err(|e| usage(&e))?;
    for (path, record) in union.outputs {
        merged.outputs.entry(path).or_insert(record);
    }
    for (customer, dates) in union.renewals {
        let into = merged.renewals.entry(customer).or_default();
        for (date, packages) in dates {
            let packages_into = into.entry(date).or_default();
            for (package, entry) in packages {
                packages_into.entry(package).or_insert(entry);
            }
        }
    }
    merged.save(&path).map_err(|e| usage(&e))?;
    let failed = merged.counts.failed;
    let exit = if failed > 0 { Exit::Attention } else { Exit::Ok };
    match format {
        Format::Text => {
            out!("merged {} shard manifests into {} ({failed} failed)", names.len(), path.display());
        }
        Format::Json => print_json(&serde_json::json!({
            "manifest": path.display().to_string(),
            "shards": names,
            "counts": merged.counts,
            "error": (failed > 0).then(|| format!("{failed} report{} failed", super::plural(failed as usize))),
            "exit_code": exit.code(),
        })),
    }
    Ok(exit)
}
