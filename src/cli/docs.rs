//! `valuereport completions SHELL` and `valuereport man`: generated from the same definitions as
//! `--help`, so they cannot drift from it.

use std::io::Write;

use clap::ValueEnum;

use super::{Done, Exit, Failure};

#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    #[value(name = "powershell")]
    PowerShell,
}

impl Shell {
    fn generator(self) -> clap_complete::Shell {
        match self {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::PowerShell => clap_complete::Shell::PowerShell,
        }
    }
}

/// The completion script for `shell`.
pub fn completion_script(shell: Shell, cmd: &mut clap::Command) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell.generator(), cmd, "valuereport", &mut script);
    script
}

pub fn completions(shell: Shell, cmd: &mut clap::Command) -> Done {
    write_stdout(&completion_script(shell, cmd))
}

/// One page for the whole tool: the top-level page (synopsis, description, commands, examples and
/// exit codes), then a section per command with its synopsis, description and options.
pub fn man_page(mut cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    cmd.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    let mut page = String::from_utf8_lossy(&page).replace(".SH EXTRA", ".SH \"EXAMPLES AND EXIT CODES\"");
    // The commands are described on this page, not on pages of their own.
    for sub in cmd.get_subcommands() {
        let name = sub.get_name().replace('-', "\\-");
        page = page.replace(&format!("valuereport\\-{name}(1)"), &format!("valuereport {name}"));
    }
    for sub in all_commands(&cmd) {
        let name = sub.get_bin_name().unwrap_or(sub.get_name()).to_string();
        let man = clap_mangen::Man::new(sub.clone());
        let mut section = Vec::new();
        man.render_synopsis_section(&mut section)?;
        man.render_description_section(&mut section)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut section)?;
        }
        if sub.get_after_help().is_some() {
            man.render_extra_section(&mut section)?;
        }
        let section = String::from_utf8_lossy(&section)
            .replace(".SH EXTRA", ".SS \"Examples and exit codes\"")
            .replace(".SH ", ".SS ");
        page.push_str(&format!(".SH \"{}\"\n", name.to_uppercase()));
        page.push_str(&section);
    }
    Ok(page.into_bytes())
}

/// Every command with options of its own, depth first (`manifest merge`, not `manifest`).
fn all_commands(cmd: &clap::Command) -> Vec<&clap::Command> {
    let mut found = Vec::new();
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        if sub.has_subcommands() {
            found.extend(all_commands(sub));
        } else {
            found.push(sub);
        }
    }
    found
}

pub fn man(cmd: clap::Command) -> Done {
    let page = man_page(cmd).map_err(|e| Failure::usage(format!("cannot render the man page: {e}")))?;
    write_stdout(&page)
}

fn write_stdout(bytes: &[u8]) -> Done {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes).and_then(|()| stdout.flush()).map_err(|e| Failure::usage(format!("stdout: {e}")))?;
    Ok(Exit::Ok)
}
