//! Every integration test in one binary: each file links the library and its dependencies once,
//! instead of once per file (docs/performance.md, "Build time"). A new test file goes into
//! tests/all/ and gets a line here. `#[path]` makes each file resolve its own `mod support;` to
//! tests/all/support/, as it did in tests/. Run one file's tests with `cargo test --test all FILE::`.

#[path = "archive.rs"]
mod archive;
#[path = "batch.rs"]
mod batch;
#[path = "cli.rs"]
mod cli;
#[path = "delivery.rs"]
mod delivery;
#[path = "edges.rs"]
mod edges;
#[path = "exports.rs"]
mod exports;
#[path = "faults.rs"]
mod faults;
#[path = "hostile.rs"]
mod hostile;
#[path = "mutated_input.rs"]
mod mutated_input;
#[path = "operator.rs"]
mod operator;
#[path = "operator_help.rs"]
mod operator_help;
#[path = "portfolio.rs"]
mod portfolio;
#[path = "properties.rs"]
mod properties;
#[path = "renewal_content.rs"]
mod renewal_content;
#[path = "renewals.rs"]
mod renewals;
#[path = "report.rs"]
mod report;
#[path = "results.rs"]
mod results;
#[path = "send.rs"]
mod send;
#[path = "typeset.rs"]
mod typeset;
