//! The statement readers' integration tests, one binary: every format, hostile
//! files, and the fuzzer over the seed corpus.

#![allow(clippy::unwrap_used)] // a test: fail loudly

mod formats;
mod fuzz;
mod statement;
