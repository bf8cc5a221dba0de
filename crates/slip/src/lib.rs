//! A reprinted slip: laid out once as styled lines, then written by a renderer to any
//! `io::Write`: PDF (roll paper or A4) or ESC/POS for thermal printers.
//!
//! Every reprint says 重打印凭证 REPRINT / DUPLICATE with the time of reprinting, and
//! where its text came from: the terminal's own slip, reproduced verbatim, or rebuilt
//! from the recorded fields. It can never pass for an original.

#![warn(missing_docs)]

mod escpos;
mod layout;
mod pdf;
mod text;

pub use escpos::{write_escpos, Columns};
pub use layout::{layout, layout_statement, printed_merchant_name, Align, Line, Slip};
pub use pdf::{warm_up, write_document_pdf, write_pdf, Paper};
