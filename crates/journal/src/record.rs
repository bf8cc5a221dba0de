//! What the journal stores, in the form it exports. One [`Record`] is one line of the
//! JSON Lines interchange format, and that same line is the canonical form hashed into
//! the chain — so an export re-imports exactly, and the hash covers what the user sees.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use slipkeeper_domain::{Settlement, SlipText, TerminalId, Transaction, TxnKey};

/// One stored record with the time Slipkeeper stored it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Record {
    /// What is stored.
    #[serde(flatten)]
    pub body: RecordBody,
    /// When Slipkeeper stored it.
    pub recorded_at: DateTime<Utc>,
}

// Transactions are by far the most common record; boxing them would add an
// allocation per record on the ingest path to shrink the rare variants.
/// What a record is.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum RecordBody {
    /// A transaction.
    Transaction(Transaction),
    /// A slip copy of a transaction.
    Slip(SlipRecord),
    /// A settlement (end of day) of a batch.
    Settlement(Settlement),
    /// Bytes exchanged with a terminal.
    RawFrame(RawFrame),
}

impl RecordBody {
    /// The kind as stored and exported: transaction, slip, settlement, raw_frame.
    pub fn kind(&self) -> &'static str {
        match self {
            RecordBody::Transaction(_) => "transaction",
            RecordBody::Slip(_) => "slip",
            RecordBody::Settlement(_) => "settlement",
            RecordBody::RawFrame(_) => "raw_frame",
        }
    }
}

/// A transaction as a record's body.
pub type TxnRecord = Transaction;
/// A settlement as a record's body.
pub type SettlementRecord = Settlement;

/// A slip copy, attached to its transaction by the terminal's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlipRecord {
    /// The transaction it belongs to.
    pub txn: TxnKey,
    /// Its text.
    pub slip: SlipText,
}

/// Which way a frame went.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the terminal to Slipkeeper (or to the cash register, in proxy mode).
    Rx,
    /// To the terminal.
    Tx,
}

impl Direction {
    /// "rx" or "tx", as stored.
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Rx => "rx",
            Direction::Tx => "tx",
        }
    }
}

/// Bytes exchanged with a terminal, linked to the transaction they produced if any.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFrame {
    /// The terminal it was exchanged with.
    pub terminal_id: TerminalId,
    /// Which way.
    pub direction: Direction,
    /// When.
    pub at: DateTime<Utc>,
    /// The frame (with card data masked).
    #[serde(with = "hex_bytes")]
    #[ts(type = "string")]
    pub bytes: Vec<u8>,
    /// The transaction it produced, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn: Option<TxnKey>,
    /// Card data in `bytes` was masked before storing (see
    /// `slipkeeper_zvt::mask_card_data`): the frame is not the one on the wire. Absent
    /// (false) in the canonical line of a frame stored as received, so lines written
    /// before the flag existed still hash the same.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub masked: bool,
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode_upper(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s.trim())
            .map_err(|e| serde::de::Error::custom(format!("not hexadecimal bytes: {e}")))
    }
}

impl Record {
    /// The canonical line: compact JSON, fields in declaration order, no newline.
    pub fn to_line(&self) -> String {
        // Sized for a slip up front: growing the buffer as it fills was a tenth of the
        // time spent readying records for the journal.
        let mut out = Vec::with_capacity(2048);
        // Serialising plain data with string keys into memory cannot fail, and
        // serde_json writes only UTF-8.
        if serde_json::to_writer(&mut out, self).is_err() {
            return String::new();
        }
        String::from_utf8(out).unwrap_or_default()
    }
}
