//! The ZVT (PA00P015) protocol as pure functions over bytes: no sockets, no clocks.
//! Transports (TCP, serial) and sessions build on this; so do the terminal simulator
//! and the tests that replay captured packets.
//!
//! ```
//! use slipkeeper_zvt::{Apdu, Message};
//! // A status information from a real terminal: result 00, amount 20.40 EUR …
//! let bytes = [0x04, 0x0F, 0x05, 0x27, 0x00, 0x49, 0x09, 0x78];
//! let apdu = Apdu::decode_exact(&bytes).unwrap();
//! match Message::decode(&apdu).unwrap() {
//!     Message::StatusInformation(f) => {
//!         assert_eq!(f.result_code, Some(0));
//!         assert_eq!(f.currency, Some(978));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```
//!
//! Where public implementations disagree (see `shared/zvt/FACTS.md` §12), this codec:
//! accepts `84 00 00` as a positive acknowledgement and never sends it; parses TLV tags by
//! the BER rule (multi-byte tags, `8n` lengths), keeping Feig's `FF40/FF41/FF48` primitive;
//! decodes PANs as strings (`E` nibbles are masked digits); treats `87 FF FF` as "no
//! receipt number", not BCD; rejects an APDU whose length byte disagrees with its bytes
//! (lenient parsers hide corrupt packets); stops at an unknown BMP with an error naming
//! it and its offset, since its length cannot be known.

#![warn(missing_docs)]

mod apdu;
mod bcd;
mod bmp;
pub mod describe;
mod error;
mod mask;
mod message;
pub mod names;
pub mod serial;
mod text;
mod tlv;

pub use apdu::Apdu;
pub use bcd::{bcd_digits, bcd_encode, bcd_u64};
pub use bmp::{encode_bmps, parse_bmps, Bmp, Fields};
pub use error::ZvtError;
pub use mask::{mask_card_data, MaskedFrame};
pub use message::{Completion, Message, PrintLine};
pub use names::{cmd, Code};
pub use text::{decode_text, Charset};
pub use tlv::{encode_tlvs, parse_tlvs, Tlv, TlvValue};
