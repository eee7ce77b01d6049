//! Files for the tests that use this module: copying sample data, reading PDF text back.

use std::fs;
use std::path::Path;

/// Copies a folder tree (the sample data, say) into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Each page's text with whitespace removed (extraction splits runs unpredictably).
pub fn pdf_text(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    doc.get_pages()
        .keys()
        .map(|&n| doc.extract_text(&[n]).unwrap().chars().filter(|c| !c.is_whitespace()).collect())
        .collect()
}
