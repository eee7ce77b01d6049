//! Display labels for metric ids: the optional `metric_labels.csv` (columns `metric,label`), in a
//! customer folder or at the INPUT root, and the readable fallback for a metric without one.
//!
//! A report never prints a raw id such as `order_error_rate_pct`: it prints the label the file
//! gives ("Order errors (%)"), or the id with underscores as spaces in sentence case ("Order error
//! rate pct"; lower case inside a sentence).

use std::collections::BTreeMap;
use std::path::Path;

use super::error::{InputError, Problem};

/// Name of the optional labels file, in a customer folder or at the INPUT root.
pub const METRIC_LABELS_FILE: &str = "metric_labels.csv";

/// Metric id → display label.
pub type MetricLabels = BTreeMap<String, String>;

/// Reads `dir/metric_labels.csv` if it exists: every problem, each with its line and column.
pub fn read_metric_labels(dir: &Path) -> Result<MetricLabels, Vec<InputError>> {
    let path = dir.join(METRIC_LABELS_FILE);
    let bytes = match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(MetricLabels::new()),
        Err(e) => return Err(vec![InputError::new(&path, Problem::Unreadable(e.to_string()))]),
        Ok(meta) if meta.file_type().is_symlink() => return Err(vec![InputError::new(&path, Problem::SymbolicLink)]),
        Ok(meta) if !meta.is_file() => {
            return Err(vec![InputError::new(&path, Problem::NotAFile(if meta.is_dir() { "a folder" } else { "a special file" }))])
        }
        Ok(meta) => {
            let limit = super::Limits::from_env().map_or(super::DEFAULT_MAX_FILE_BYTES, |l| l.max_file_bytes);
            if meta.len() > limit {
                return Err(vec![InputError::new(&path, Problem::FileTooLarge { size: Some(meta.len()), limit })]);
            }
            std::fs::read(&path).map_err(|e| vec![InputError::new(&path, Problem::Unreadable(e.to_string()))])?
        }
    };
    parse_metric_labels(&path, &bytes)
}

/// Parses the bytes of a labels file (UTF-8, an optional byte-order mark, `,` between columns).
pub fn parse_metric_labels(path: &Path, bytes: &[u8]) -> Result<MetricLabels, Vec<InputError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| vec![InputError::new(path, Problem::NotUtf8)])?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) if !headers.iter().all(|h| h.trim().is_empty()) => headers.clone(),
        Ok(_) => return Err(vec![InputError::new(path, Problem::NoHeader)]),
        Err(e) => return Err(vec![InputError::new(path, Problem::Syntax(e.to_string())).at_line(1)]),
    };
    let find = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let mut errors = Vec::new();
    let (Some(metric_at), Some(label_at)) = (find("metric"), find("label")) else {
        let missing = if find("metric").is_none() { "metric" } else { "label" };
        return Err(vec![InputError::new(path, Problem::MissingColumn(missing.to_string())).at_line(1)]);
    };
    let mut labels = MetricLabels::new();
    let mut first_lines: BTreeMap<String, u64> = BTreeMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(InputError::new(path, Problem::Syntax(e.to_string())).at_line(line));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let metric = record.get(metric_at).unwrap_or_default().trim();
        let label = record.get(label_at).unwrap_or_default().trim();
        let at = |column: &str, problem: Problem| InputError::new(path, problem).at_line(line).in_column(column);
        if metric.is_empty() {
            errors.push(at("metric", Problem::Empty("the metric id the label is for, e.g. tickets_per_week")));
            continue;
        }
        if label.is_empty() {
            errors.push(at("label", Problem::Empty("the label to print, e.g. Tickets per week")));
            continue;
        }
        if label.chars().count() > super::MAX_VALUE_CHARS {
            errors.push(at("label", Problem::TooLong { chars: label.chars().count(), limit: super::MAX_VALUE_CHARS }));
            continue;
        }
        if let Some(&first_line) = first_lines.get(metric) {
            errors.push(at("metric", Problem::DuplicateId { what: "metric", id: metric.to_string(), first_line }));
            continue;
        }
        first_lines.insert(metric.to_string(), line);
        labels.insert(metric.to_string(), label.to_string());
    }
    if errors.is_empty() {
        Ok(labels)
    } else {
        Err(errors)
    }
}

/// The label of `metric` for a table cell, chart or heading: the file's, or the id with
/// underscores as spaces in sentence case (`dashboards_created` → "Dashboards created").
pub fn metric_label(labels: &MetricLabels, metric: &str) -> String {
    if let Some(label) = labels.get(metric) {
        return label.clone();
    }
    let words = readable(metric);
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// The label of `metric` inside a sentence: the file's as written, or the readable id in lower
/// case ("no order error rate pct data arrived").
pub fn metric_label_in_sentence(labels: &MetricLabels, metric: &str) -> String {
    labels.get(metric).cloned().unwrap_or_else(|| readable(metric).to_lowercase())
}

fn readable(metric: &str) -> String {
    metric.split(['_', '-']).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_labels_are_readable_in_sentence_case() {
        let none = MetricLabels::new();
        assert_eq!(metric_label(&none, "order_error_rate_pct"), "Order error rate pct");
        assert_eq!(metric_label(&none, "dashboards_created"), "Dashboards created");
        assert_eq!(metric_label_in_sentence(&none, "Dashboards_Created"), "dashboards created");
        assert_eq!(metric_label(&none, "__x__y"), "X y");
        let labels = MetricLabels::from([("nps".to_string(), "NPS".to_string())]);
        assert_eq!(metric_label(&labels, "nps"), "NPS");
        assert_eq!(metric_label_in_sentence(&labels, "nps"), "NPS");
    }

    #[test]
    fn bad_rows_are_errors_with_line_and_column() {
        let path = Path::new("in/metric_labels.csv");
        let ok = parse_metric_labels(path, "\u{feff}Metric,Label\nnps, NPS \n\norder_errors,Order errors (%)\n".as_bytes());
        assert_eq!(ok.unwrap().get("nps").map(String::as_str), Some("NPS"));
        let bad = parse_metric_labels(path, b"metric,label\nnps,NPS\n,Empty\nx,\nnps,Again\n").unwrap_err();
        let messages: Vec<String> = bad.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].starts_with("in/metric_labels.csv:3: column 'metric': is empty"), "{}", messages[0]);
        assert!(messages[1].starts_with("in/metric_labels.csv:4: column 'label': is empty"), "{}", messages[1]);
        assert!(messages[2].contains(":5: column 'metric': duplicate metric \"nps\"; first defined on line 2"), "{}", messages[2]);
        let missing = parse_metric_labels(path, b"metric,name\nnps,NPS\n").unwrap_err();
        assert_eq!(missing[0].to_string(), "in/metric_labels.csv:1: missing required column 'label'");
        assert!(parse_metric_labels(path, b"metric,label\n\xff,x\n").is_err());
    }
}
