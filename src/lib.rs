//! valuereport: per-customer CSV exports in, customer value reports out.
//!
//! The modules follow the data: [`discover`] finds customer folders → [`load`] reads and validates
//! them under the input contract → [`value`] computes realized and projected value and ROI (pure) →
//! [`explain`] presents the computation to people and programs; [`batch`] runs it over a whole INPUT.

pub mod batch;
pub mod content;
pub mod discover;
pub mod explain;
pub mod load;
pub mod model;
pub mod quarter;
pub mod render;
pub mod value;
