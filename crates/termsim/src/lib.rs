//! A ZVT payment terminal (PT) in software: the counterpart Slipkeeper's link talks to
//! in tests and in the demo. [`Terminal`] is the state machine — command in, the
//! APDUs a real terminal would answer with out — and [`serve`] puts it on a TCP port.
//!
//! What it does, as a real terminal does: registration (06 00), status enquiry (05 01),
//! authorisation (06 01) with status information, merchant and customer receipts as
//! print text blocks and completion; reversal (06 30) of a receipt in the open batch —
//! after end-of-day (06 50) that receipt is gone and the answer is an abort, the
//! "原交易不存在" of UnionPay terminals; refund (06 31); repeat receipt (06 20);
//! turnover totals (06 10); diagnosis (06 70); log-off (06 02). Amounts ending in
//! .13 are declined (result 05), so tests can ask for a decline.

#![warn(missing_docs)]

use chrono::NaiveDateTime;
use slipkeeper_zvt::{bcd_encode, cmd, encode_bmps, encode_tlvs, Apdu, Bmp, Code, Message, Tlv};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

mod customers;
mod faults;
mod ports;
mod terminal;

pub use customers::*;
pub use faults::*;
pub use ports::*;
pub use terminal::*;
