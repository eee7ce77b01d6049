//! valuereport: per-customer CSV exports in, customer value reports out.
//!
//! The modules follow the data: [`discover`] finds customer folders → [`load`] reads and validates
//! them under the input contract → [`value`] computes realized and projected value and ROI (pure) →
//! [`explain`] presents the computation to people and programs; [`batch`] runs it over a whole INPUT,
//! and [`delivery`] writes the cover message of each renewal package and sends it to the CSM.

// Input errors carry file, line, column and value by design; they are on the cold path.
#![allow(clippy::result_large_err)]

pub mod batch;
pub mod content;
pub mod delivery;
pub mod discover;
pub mod explain;
pub mod load;
pub mod locale;
pub mod model;
pub mod quarter;
pub mod render;
pub mod sample;
pub mod value;
