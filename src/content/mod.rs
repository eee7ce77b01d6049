//! Content: what a value report says, built from the customer's data and the engine's figures.

pub mod catalog;
pub mod format;
pub mod recommend;
pub mod report;
