//! Card numbers out of everything the journal keeps outside the chain: case text,
//! the merchant profile, statement lines, file names. The chained records are masked
//! by `ingest::normalise`; these are the other doors.

use slipkeeper_domain::mask_pans;
use std::borrow::Cow;

/// Free text as it may be stored.
pub(crate) fn text(t: &str) -> Cow<'_, str> {
    mask_pans(t)
}

/// A JSON document with every card number in its strings masked (object keys too).
/// Numbers are left alone: a 13–19 digit JSON number is an amount or an id here, and
/// masking one would make the document unreadable.
pub(crate) fn json(doc: String) -> String {
    if matches!(mask_pans(&doc), Cow::Borrowed(_)) {
        return doc;
    }
    match serde_json::from_str::<serde_json::Value>(&doc) {
        Ok(mut v) => {
            value(&mut v);
            serde_json::to_string(&v).unwrap_or(doc)
        }
        // Not JSON after all: text rules.
        Err(_) => mask_pans(&doc).into_owned(),
    }
}

fn value(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if let Cow::Owned(m) = mask_pans(s) {
                *s = m;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(value),
        Value::Object(o) => {
            let masked: Vec<(String, Value)> = std::mem::take(o)
                .into_iter()
                .map(|(k, mut x)| {
                    value(&mut x);
                    (mask_pans(&k).into_owned(), x)
                })
                .collect();
            o.extend(masked);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_strings_are_masked_and_stay_json() {
        let doc = r#"{"name":"店 4111111111111111","n":4111111111111111,"list":["６２２８４８００１２３４５６７８２"]}"#;
        let out = super::json(doc.to_owned());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["name"], "店 411111******1111");
        assert_eq!(v["list"][0], "６２２８４８*******６７８２");
        assert_eq!(v["n"], 4111111111111111u64);
    }
}
