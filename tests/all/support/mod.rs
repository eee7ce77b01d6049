//! Shared by the tests that declare `mod support;`: each uses part of it.
#![allow(dead_code)]

pub mod files;
pub mod schema;
pub mod smtp;
