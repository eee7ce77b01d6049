//! Shared by the delivery tests: each test crate uses part of it.
#![allow(dead_code)]

pub mod smtp;
