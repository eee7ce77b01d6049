//! Render: layout, charts and PDF export.

pub mod archive;
pub mod bidi;
pub mod chart;
pub mod compose;
pub mod content;
pub mod draw;
pub mod fonts;
pub mod layout;
pub mod logo;
pub mod pdf;
pub mod report;
pub mod serialize;
pub mod shape;
pub mod stream;
pub mod tag;
pub mod text;
pub mod words;
