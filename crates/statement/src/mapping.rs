//! Column mappings: which header means which field, as data.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A statement field Slipkeeper understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 商户编号: the acquirer's merchant number.
    MerchantId,
    /// 终端编号: the terminal id.
    TerminalId,
    /// Date and time in one column.
    Datetime,
    /// The transaction's date (with a separate time column).
    Date,
    /// The transaction's time of day.
    Time,
    /// The card number, masked as the acquirer prints it.
    Card,
    /// The transaction amount.
    Amount,
    /// The acquirer's fee (手续费).
    Fee,
    /// What is settled to the shop (结算金额).
    Net,
    /// The reference number (参考号).
    Rrn,
    /// The voucher / trace number (凭证号).
    Trace,
    /// The authorisation code (授权码).
    Auth,
    /// The transaction type in the statement's own words (see `Mapping::types`).
    Type,
    /// The day the acquirer settled it (清算日期).
    SettleDate,
    /// Debit, credit or another card kind (卡类型).
    CardType,
}

impl Field {
    /// Every field, in the order a proposed mapping lists them.
    pub const ALL: [Field; 15] = [
        Field::MerchantId,
        Field::TerminalId,
        Field::Datetime,
        Field::Date,
        Field::Time,
        Field::Card,
        Field::Amount,
        Field::Fee,
        Field::Net,
        Field::Rrn,
        Field::Trace,
        Field::Auth,
        Field::Type,
        Field::SettleDate,
        Field::CardType,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    pub zh: String,
    pub en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountUnit {
    /// 12.50
    Yuan,
    /// 1250
    Fen,
}

/// How one acquirer's statement file is laid out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The mapping's id, given with `--mapping` and kept with each import.
    pub id: String,
    /// Its name in both languages.
    pub name: Names,
    /// What the owner should know about this layout.
    #[serde(default)]
    pub note: String,
    /// For each field, the header texts it may appear under (first found wins).
    pub columns: BTreeMap<Field, Vec<String>>,
    /// chrono formats for a combined date-and-time column, tried in order.
    #[serde(default)]
    pub datetime_formats: Vec<String>,
    /// chrono formats for a date column, tried in order.
    #[serde(default)]
    pub date_formats: Vec<String>,
    /// chrono formats for a time column, tried in order.
    #[serde(default)]
    pub time_formats: Vec<String>,
    /// Whether amounts are written in yuan or in fen.
    pub amount_unit: AmountUnit,
    /// ISO 4217 code of the amounts (CNY).
    pub currency: String,
    /// The statement's words for transaction types → sale, void, refund, …
    pub types: BTreeMap<String, String>,
    /// Header texts that must all be in the header row for this mapping to be chosen
    /// by itself: an acquirer's own layout is told apart from the generic ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signature: Vec<String>,
    /// Cell values that mean "none" ("*" where a field does not apply).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blank: Vec<String>,
    /// Type words of rows that are no transaction (a refund still in progress, one
    /// that failed): such rows are passed over.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_types: Vec<String>,
    /// Rows are kept only when the named column holds one of the values (card payments
    /// in a file that also lists QR-code payments).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub only_when: BTreeMap<String, Vec<String>>,
    /// First-cell texts that end the detail (a summary block below it), besides
    /// 合计, 总计, 小计 and Total.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub footer: Vec<String>,
    /// Header texts of a refund's own amount, for files whose amount column holds the
    /// original order's amount on refund rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refund_amount: Vec<String>,
}

/// Acquirers' own layouts first: each has a signature the generic ones lack, and the
/// first mapping whose header a file has is the one used.
const BUILTIN: [&str; 6] = [
    include_str!("../../../assets/statement-mappings/allinpay-pos.json"),
    include_str!("../../../assets/statement-mappings/leshua-trade.json"),
    include_str!("../../../assets/statement-mappings/wechatpay-trade.json"),
    include_str!("../../../assets/statement-mappings/generic-zh.json"),
    include_str!("../../../assets/statement-mappings/generic-en.json"),
    include_str!("../../../assets/statement-mappings/fen-compact.json"),
];

/// The mappings shipped with Slipkeeper.
pub fn builtin_mappings() -> Vec<Mapping> {
    BUILTIN
        .iter()
        .filter_map(|s| serde_json::from_str(s).ok())
        .collect()
}

/// The built-in mapping of this id, if there is one.
pub fn builtin(id: &str) -> Option<Mapping> {
    builtin_mappings().into_iter().find(|m| m.id == id)
}

pub(crate) fn norm(s: &str) -> String {
    s.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

impl Mapping {
    /// Which column index each field is in, for this header row.
    pub fn locate(&self, header: &[String]) -> BTreeMap<Field, usize> {
        let cells: Vec<String> = header.iter().map(|h| norm(h)).collect();
        let mut out = BTreeMap::new();
        for (field, names) in &self.columns {
            if let Some(i) = names
                .iter()
                .find_map(|n| cells.iter().position(|c| *c == norm(n)))
            {
                out.insert(*field, i);
            }
        }
        // One column cannot be two fields: "交易时间" holding a full timestamp is the
        // date-time, not also the time.
        if out.contains_key(&Field::Datetime) && out.get(&Field::Datetime) == out.get(&Field::Time)
        {
            out.remove(&Field::Time);
        }
        out
    }

    /// Whether a header row has what a statement line needs (an amount and a time)
    /// and this mapping's signature.
    pub fn is_header(&self, header: &[String]) -> bool {
        let at = self.locate(header);
        let cells: Vec<String> = header.iter().map(|h| norm(h)).collect();
        at.contains_key(&Field::Amount)
            && (at.contains_key(&Field::Datetime) || at.contains_key(&Field::Date))
            && self.signature.iter().all(|s| cells.contains(&norm(s)))
    }

    /// The header texts this mapping needs at the least, for error messages.
    pub fn required_names(&self) -> String {
        let names = |f: Field| {
            self.columns
                .get(&f)
                .map(|v| v.join("/"))
                .unwrap_or_default()
        };
        let when: Vec<String> = [names(Field::Datetime), names(Field::Date)]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
        format!("{} and {}", names(Field::Amount), when.join(" or "))
    }

    /// Checks a user-supplied mapping before it is used or stored.
    pub fn validate(&self) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("the mapping has no id".into());
        }
        if !self.columns.contains_key(&Field::Amount) {
            return Err(format!("mapping {}: no column for amount", self.id));
        }
        if !self.columns.contains_key(&Field::Datetime) && !self.columns.contains_key(&Field::Date)
        {
            return Err(format!("mapping {}: no column for the date", self.id));
        }
        for (word, kind) in &self.types {
            if slipkeeper_domain::TxnKind::parse(kind).is_none() {
                return Err(format!(
                    "mapping {}: type {word:?} maps to {kind:?}, expected sale, void, refund, pre_auth_completion, …",
                    self.id
                ));
            }
        }
        slipkeeper_domain::Currency::new(&self.currency)
            .map_err(|e| format!("mapping {}: {e}", self.id))?;
        Ok(())
    }
}

/// A mapping for a file whose header row is `header`: every column whose text any
/// built-in mapping knows is taken, with the formats and type words of all of them.
/// The user reviews it (and may edit it) before it is saved.
pub fn propose(id: &str, header: &[String]) -> Option<Mapping> {
    let all = builtin_mappings();
    let mut columns: BTreeMap<Field, Vec<String>> = BTreeMap::new();
    for cell in header {
        let n = norm(cell);
        if n.is_empty() {
            continue;
        }
        for field in Field::ALL {
            if columns.contains_key(&field) {
                continue;
            }
            let known = all.iter().any(|m| {
                m.columns
                    .get(&field)
                    .is_some_and(|names| names.iter().any(|x| norm(x) == n))
            });
            if known {
                columns.insert(field, vec![cell.trim().to_owned()]);
                break;
            }
        }
    }
    let fen = all
        .iter()
        .filter(|m| m.amount_unit == AmountUnit::Fen)
        .any(|m| {
            m.columns.get(&Field::Amount).is_some_and(|v| {
                v.iter().any(|x| {
                    columns
                        .get(&Field::Amount)
                        .is_some_and(|c| norm(&c[0]) == norm(x))
                })
            })
        });
    let merged = |pick: fn(&Mapping) -> &Vec<String>| {
        let mut v: Vec<String> = Vec::new();
        for m in &all {
            for f in pick(m) {
                if !v.contains(f) {
                    v.push(f.clone());
                }
            }
        }
        v
    };
    let mapping = Mapping {
        id: id.to_owned(),
        name: Names {
            zh: format!("自定义：{id}"),
            en: format!("Custom: {id}"),
        },
        note: "Proposed from the file's header row; check every column before relying on it."
            .into(),
        columns,
        datetime_formats: merged(|m| &m.datetime_formats),
        date_formats: merged(|m| &m.date_formats),
        time_formats: merged(|m| &m.time_formats),
        amount_unit: if fen {
            AmountUnit::Fen
        } else {
            AmountUnit::Yuan
        },
        currency: "CNY".into(),
        types: all.iter().flat_map(|m| m.types.clone()).collect(),
        signature: Vec::new(),
        blank: merged(|m| &m.blank),
        skip_types: merged(|m| &m.skip_types),
        only_when: BTreeMap::new(),
        footer: merged(|m| &m.footer),
        refund_amount: Vec::new(),
    };
    mapping.validate().ok().map(|_| mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_validate() {
        let all = builtin_mappings();
        assert_eq!(all.len(), BUILTIN.len(), "every built-in mapping parses");
        for m in all {
            m.validate().unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
