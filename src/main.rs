//! valuereport's command line; everything it does is in `cli` (one module per command) and the
//! `valuereport` library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
