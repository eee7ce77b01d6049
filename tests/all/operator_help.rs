//! What an operator reads: every command's --help (every argument described, an example, the exit
//! codes), shell completions for each shell, and the man page.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_valuereport");

const COMMANDS: &[&[&str]] = &[
    &[],
    &["validate"],
    &["explain"],
    &["report"],
    &["run"],
    &["renewals"],
    &["sample"],
    &["manifest", "merge"],
    &["summary"],
    &["completions"],
    &["man"],
];

fn valuereport(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The entries of the help's "Arguments:" and "Options:" sections, each with its description
/// (the text on its line after the name, and the more-indented lines below it).
fn entries(help: &str) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut in_section = false;
    for line in help.lines() {
        if line == "Arguments:" || line == "Options:" {
            in_section = true;
            continue;
        }
        if !line.starts_with(' ') && !line.is_empty() {
            in_section = false;
            continue;
        }
        if !in_section || line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        if indent <= 6 && (trimmed.starts_with('-') || trimmed.starts_with('<') || trimmed.starts_with('[')) {
            let (name, rest) = match trimmed.find("  ") {
                Some(at) => (&trimmed[..at], trimmed[at..].trim()),
                None => (trimmed, ""),
            };
            entries.push((name.to_string(), rest.to_string()));
        } else if let Some(last) = entries.last_mut() {
            last.1.push(' ');
            last.1.push_str(trimmed);
        }
    }
    entries
}

#[test]
fn every_argument_of_every_command_is_described_and_every_page_shows_an_example_and_the_exit_codes() {
    for command in COMMANDS {
        for flag in ["-h", "--help"] {
            let mut args = command.to_vec();
            args.push(flag);
            let output = valuereport(&args);
            assert_eq!(output.status.code(), Some(0), "{args:?}");
            let help = text(&output.stdout);
            let entries = entries(&help);
            assert!(entries.iter().any(|(name, _)| name.starts_with("-h, --help")), "{args:?}: no options parsed:\n{help}");
            for (name, description) in &entries {
                assert!(
                    description.trim_start_matches(|c: char| c == '[' || c.is_whitespace()).len() > 3,
                    "{args:?}: {name} has no description:\n{help}"
                );
            }
            let examples = help.split("Examples:").nth(1).unwrap_or_else(|| panic!("{args:?}: no example:\n{help}"));
            assert!(examples.contains("\n  valuereport "), "{args:?}");
            for code in ["0", "1", "2", "75", "130", "143"] {
                assert!(help.contains(&format!("\n  {code:>3}  ")), "{args:?}: exit code {code} missing:\n{help}");
            }
        }
    }
}

#[test]
fn formats_periods_and_outputs_are_explained_in_the_help() {
    let help = |args: &[&str]| text(&valuereport(args).stdout);
    let run = help(&["run", "--help"]);
    assert!(run.contains("YYYY-MM-DD") && run.contains("2026-Q3"), "{run}");
    assert!(run.contains("0-based") && run.contains("counted from 1"), "{run}");
    assert!(run.contains("--format <FORMAT>") && run.contains("- json: One JSON document"), "{run}");
    assert!(run.contains("--pdf-standard <PDF_STANDARD>") && run.contains("ua1-a3a"), "{run}");
    assert!(run.contains("--metrics-file <PATH>"), "{run}");
    let renewals = help(&["renewals", "--help"]);
    assert!(renewals.contains("--as-of <YYYY-MM-DD>"), "{renewals}");
    let report = help(&["report", "--help"]);
    assert!(report.contains("--out <FILE.pdf|DIR>") && report.contains("anything else is a folder"), "{report}");
    for command in ["validate", "summary", "explain", "report", "sample"] {
        let page = help(&[command, "--help"]);
        assert!(page.contains("--format <FORMAT>"), "{command}: {page}");
    }
    let merge = help(&["manifest", "merge", "--help"]);
    assert!(merge.contains("--out <DIR>") && merge.contains("manifest-K-of-N.json"), "{merge}");
}

#[test]
fn explain_keeps_table_as_another_name_for_text() {
    let dir = "sample-data/amer/acme-logistics";
    let table = valuereport(&["explain", dir, "--quarter", "2026-Q3", "--format", "table"]);
    let text_format = valuereport(&["explain", dir, "--quarter", "2026-Q3", "--format", "text"]);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    assert_eq!(table.stdout, text_format.stdout);
    assert!(!table.stdout.is_empty());
}

#[test]
fn completions_for_each_shell_cover_every_command_and_bash_parses_its_script() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = valuereport(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}: {}", text(&output.stderr));
        let script = text(&output.stdout);
        for command in ["validate", "explain", "report", "run", "renewals", "sample", "manifest", "summary", "man"] {
            assert!(script.contains(command), "{shell}: {command} missing");
        }
        assert!(script.contains("metrics-file") && script.contains("pdf-standard"), "{shell}");
    }
    let script = valuereport(&["completions", "bash"]).stdout;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("valuereport.bash");
    std::fs::write(&path, &script).unwrap();
    // bash is on every machine the tests run on (cargo's own scripts need a shell anyway).
    let checked = Command::new("bash").arg("-n").arg(&path).output().expect("bash runs");
    assert!(checked.status.success(), "bash -n: {}", text(&checked.stderr));
    // Sourcing it defines the completion function and registers it.
    let sourced = Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p valuereport", path.display()))
        .output()
        .unwrap();
    assert!(text(&sourced.stdout).contains("valuereport"), "{}", text(&sourced.stderr));
    assert_eq!(valuereport(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_man_page_is_roff_with_every_command_its_options_and_the_exit_codes() {
    let output = valuereport(&["man"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let page = text(&output.stdout);
    assert!(page.starts_with(".ie \\n(.g .ds Aq") || page.starts_with(".TH"), "{}", &page[..200]);
    assert!(page.contains(".TH valuereport 1"), "{}", &page[..400]);
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH SUBCOMMANDS", ".SH \"EXAMPLES AND EXIT CODES\""] {
        assert!(page.contains(section), "{section} missing");
    }
    for command in ["VALUEREPORT RUN", "VALUEREPORT RENEWALS", "VALUEREPORT MANIFEST MERGE", "VALUEREPORT REPORT", "VALUEREPORT SAMPLE"] {
        assert!(page.contains(&format!(".SH \"{command}\"")), "{command} missing");
    }
    for option in ["metrics\\-file", "pdf\\-standard", "as\\-of", "shards"] {
        assert!(page.contains(option), "{option} missing");
    }
    assert!(page.contains("temporarily unavailable"), "exit code 75 missing");
    assert!(!page.contains("valuereport\\-run(1)"), "no references to pages that do not exist");
    // Every line is a roff request, a comment or text; no control characters.
    assert!(!page.chars().any(|c| c.is_control() && c != '\n'), "control characters in the page");
}
