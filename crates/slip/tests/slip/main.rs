//! The slip renderers' integration tests, one binary: golden text and ESC/POS bytes,
//! PDFs read back with poppler.

#![allow(clippy::unwrap_used)] // a test: fail loudly

mod pdf;
mod slip;
