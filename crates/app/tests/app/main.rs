//! The app crate's integration tests, one binary: real journal files, real sockets,
//! the simulated terminal, PDFs and ZIPs read back.

#![allow(clippy::unwrap_used)] // a test: fail loudly

mod backups;
mod catch_up;
mod diagnose;
mod dto_samples;
mod evidence;
mod find;
mod fuzz;
mod head_office;
mod home;
mod mirror_faults;
mod printers;
mod proxy_live;
mod reconcile_case;
mod reprint_preview;
mod settings;
mod spool;
mod story;
mod support;
mod ts_types;
