//! The command line's definitions: every argument documented, every help page ends with an
//! example and the exit codes.

use clap::CommandFactory;

use super::Cli;

/// Every command, with its full name (`valuereport manifest merge`).
fn commands() -> Vec<(String, clap::Command)> {
    fn walk(prefix: &str, cmd: &clap::Command, found: &mut Vec<(String, clap::Command)>) {
        let name = format!("{prefix}{}", cmd.get_name());
        found.push((name.clone(), cmd.clone()));
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            walk(&format!("{name} "), sub, found);
        }
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut found = Vec::new();
    walk("", &cmd, &mut found);
    found
}

#[test]
fn the_definitions_are_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn every_argument_of_every_command_has_a_description() {
    let mut missing = Vec::new();
    for (name, cmd) in commands() {
        if cmd.get_about().is_none() {
            missing.push(format!("{name}: no description"));
        }
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            let help = arg.get_long_help().or(arg.get_help()).map(ToString::to_string).unwrap_or_default();
            if help.trim().is_empty() {
                missing.push(format!("{name}: {} has no description", arg.get_id()));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn every_option_with_a_value_says_its_default_or_values() {
    let mut missing = Vec::new();
    for (name, cmd) in commands() {
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set() && a.get_action().takes_values()) {
            let help = arg.get_long_help().or(arg.get_help()).map(ToString::to_string).unwrap_or_default();
            let said = !arg.get_default_values().is_empty()
                || !arg.get_possible_values().is_empty()
                || arg.is_required_set()
                || help.contains("default")
                || help.contains("With --send");
            let id = arg.get_id().as_str();
            if !said && !matches!(id, "shell") {
                missing.push(format!("{name}: {id} says no default"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn dates_and_quarters_say_their_format() {
    for (name, cmd) in commands() {
        for arg in cmd.get_arguments() {
            let help = arg.get_long_help().or(arg.get_help()).map(ToString::to_string).unwrap_or_default();
            match arg.get_id().as_str() {
                "as_of" => assert!(help.contains("YYYY-MM-DD"), "{name} --as-of: {help}"),
                "quarter" => assert!(help.contains("2026-Q3"), "{name} --quarter: {help}"),
                "shards" => assert!(help.contains("0-based"), "{name} --shards: {help}"),
                "shard" => assert!(help.contains("counted from 1"), "{name} --shard: {help}"),
                _ => {}
            }
        }
    }
}

#[test]
fn every_help_page_ends_with_an_example_and_the_exit_codes() {
    for (name, cmd) in commands() {
        if cmd.has_subcommands() && name != "valuereport" {
            continue; // `manifest` only groups `manifest merge`
        }
        let mut cmd = cmd;
        let help = cmd.render_long_help().to_string();
        let tail = help.split("Examples:").nth(1).unwrap_or_else(|| panic!("{name}: no example:\n{help}"));
        assert!(tail.contains("  valuereport"), "{name}: {tail}");
        for (code, meaning) in super::exit::TABLE {
            assert!(tail.contains(&format!("{code:>3}  {meaning}")), "{name}: exit code {code} missing");
        }
    }
}

#[test]
fn commands_that_print_results_take_format_text_and_json() {
    for (name, cmd) in commands() {
        if matches!(name.as_str(), "valuereport" | "valuereport manifest" | "valuereport completions" | "valuereport man") {
            continue;
        }
        let format = cmd.get_arguments().find(|a| a.get_id() == "format").unwrap_or_else(|| panic!("{name}: no --format"));
        let values: Vec<String> = format.get_possible_values().iter().map(|v| v.get_name().to_string()).collect();
        assert!(values.starts_with(&["text".to_string(), "json".to_string()]), "{name}: {values:?}");
    }
}
