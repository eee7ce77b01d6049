//! Every integration test in one binary: each file links the library and its dependencies once,
//! instead of once per file (docs/performance.md, "Build time"). A new test file goes into
//! tests/all/ and gets a line here. `#[path = "archive.rs"]
mod archive;
#[path = "batch.rs"]
mod batch;
#[path = "brand.rs"]
mod brand;
#[path = "catalogs.rs"]
mod catalogs;
#[path = "cli.rs"]
mod cli;
#[path = "composition.rs"]
mod composition;
#[path = "delivery.rs"]
mod delivery;
#[path = "edges.rs"]
mod edges;
#[path = "exports.rs"]
mod exports;
#[path = "faults.rs"]
mod faults;
#[path = "figures.rs"]
mod figures;
#[path = "health_card.rs"]
mod health_card;
#[path = "hostile.rs"]
mod hostile;
#[path = "locales.rs"]
mod locales;
#[path = "mutated_input.rs"]
mod mutated_input;
#[path = "operator.rs"]
mod operator;
#[path = "operator_help.rs"]
mod operator_help;
#[path = "portfolio.rs"]
mod portfolio;
#[path = "portfolio_stream.rs"]
mod portfolio_stream;
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
#[path = "shortened.rs"]
mod shortened;
#[path = "tagged.rs"]
mod tagged;
#[path = "tagged_renewals.rs"]
mod tagged_renewals;
#[path = "typeset.rs"]
mod typeset;
