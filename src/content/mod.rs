//! Content: what a value report says, built from the customer's data and the engine's figures.

mod alt;
pub mod catalog;
pub mod format;
mod health_card;
mod parts;
pub mod portfolio;
pub mod recommend;
pub mod renewal;
pub mod report;
