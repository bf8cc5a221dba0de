//! Every public packet vector (tests/fixtures, with attribution) decodes to what its
//! `expect` says, or — when its length byte disagrees with its bytes — is rejected
//! with a clear error.

use serde_json::Value;
use slipkeeper_zvt::{
    decode_text, encode_bmps, parse_bmps, serial, Apdu, Charset, Completion, Fields, Message, Tlv,
    TlvValue, ZvtError,
};

use crate::support;
use support::{charset_of, vectors};

/// The BMP fields a message carries, whatever its kind.
fn fields(m: &Message) -> Option<&Fields> {
    match m {
        Message::Ack(f)
        | Message::StatusInformation(f)
        | Message::PrintTextBlock(f)
        | Message::Nack { fields: f, .. }
        | Message::IntermediateStatus { fields: f, .. }
        | Message::Abort { fields: f, .. }
        | Message::Registration { fields: f, .. }
        | Message::WithPassword { fields: f, .. }
        | Message::StatusEnquiry { fields: f, .. }
        | Message::Command { fields: f, .. }
        | Message::Completion(Completion::Fields(f)) => Some(f),
        _ => None,
    }
}

fn tlv_matches(list: &[Tlv], expect: &Value, cs: Charset) -> Result<(), String> {
    let Some(obj) = expect.as_object() else {
        return Err(format!("expected an object, got {expect}"));
    };
    for (key, want) in obj {
        let hex_tag = key.split('_').next().unwrap();
        let Ok(tag) = u32::from_str_radix(hex_tag, 16) else {
            continue;
        };
        let found: Vec<&Tlv> = list.iter().filter(|t| t.tag == tag).collect();
        if found.is_empty() {
            return Err(format!("tag {key} missing"));
        }
        // "…_len" names either a length-valued field or the length of the value.
        if let Some(expected) = key.strip_suffix("_len").and(want.as_u64()) {
            let (len, num) = match &found[0].value {
                TlvValue::Primitive(b) => (
                    b.len() as u64,
                    b.iter().take(8).fold(0u64, |a, x| (a << 8) | u64::from(*x)),
                ),
                TlvValue::Constructed(c) => (slipkeeper_zvt::encode_tlvs(c).len() as u64, u64::MAX),
            };
            if len != expected && num != expected {
                return Err(format!(
                    "tag {key}: length {len} / value {num}, expected {expected}"
                ));
            }
            continue;
        }
        // A list under a single container: its children, in order.
        if let (
            Value::Array(items),
            [Tlv {
                value: TlvValue::Constructed(children),
                ..
            }],
        ) = (want, &found[..])
        {
            if items.iter().any(Value::is_object) {
                // Objects describe occurrences of the container itself (below).
                for (t, w) in found.iter().zip(items) {
                    if let TlvValue::Constructed(c) = &t.value {
                        tlv_matches(c, w, cs).map_err(|e| format!("{key}/{e}"))?;
                    }
                }
                continue;
            }
            if items.len() != children.len() {
                return Err(format!(
                    "tag {key}: {} children, expected {}",
                    children.len(),
                    items.len()
                ));
            }
            for (c, w) in children.iter().zip(items) {
                let fake = serde_json::json!({ format!("{:X}", c.tag): w });
                tlv_matches(std::slice::from_ref(c), &fake, cs)
                    .map_err(|e| format!("{key}/{e}"))?;
            }
            continue;
        }
        let wants: Vec<&Value> = match want {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        if wants.len() > 1 && wants.len() != found.len() {
            return Err(format!(
                "tag {key}: {} occurrences, expected {}",
                found.len(),
                wants.len()
            ));
        }
        for (t, w) in found.iter().zip(wants) {
            match (&t.value, w) {
                (TlvValue::Constructed(c), Value::Object(_)) => tlv_matches(c, w, cs)?,
                (TlvValue::Primitive(b), Value::String(s)) => {
                    let text = decode_text(b, cs);
                    if text != *s && !hex::encode(b).eq_ignore_ascii_case(s) {
                        return Err(format!(
                            "tag {key}: {text:?} / {} is not {s:?}",
                            hex::encode(b)
                        ));
                    }
                }
                (TlvValue::Primitive(b), Value::Number(n)) => {
                    let v = b.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x));
                    if Some(v) != n.as_u64() {
                        return Err(format!("tag {key}: {v} is not {n}"));
                    }
                }
                (TlvValue::Constructed(c), Value::String(s)) if s.is_empty() => {
                    if !c.is_empty() {
                        return Err(format!("tag {key} not empty"));
                    }
                }
                (v, w) => return Err(format!("tag {key}: cannot compare {v:?} with {w}")),
            }
        }
    }
    Ok(())
}

/// Checks every expectation this codec decodes; returns how many were checked.
fn check(v: &Value, apdu: &Apdu, m: &Message) -> Result<usize, String> {
    let e = v["expect"].as_object().unwrap();
    let cs = charset_of(v);
    // Vendor system information (Feig 0F A1 reply) is kept raw, not interpreted.
    if let Message::Completion(Completion::Raw(_)) = m {
        return Ok(0);
    }
    let f = fields(m);
    let mut n = 0;
    let eq = |what: &str, got: Option<Value>, want: &Value| -> Result<(), String> {
        // The vectors write a CR inside text as the two characters \\r.
        let want = &match want {
            Value::String(s) => Value::from(s.replace("\\r", "\r")),
            other => other.clone(),
        };
        if got.as_ref() == Some(want) || (want.is_null() && got.is_none()) {
            Ok(())
        } else {
            Err(format!("{what}: got {got:?}, expected {want}"))
        }
    };
    for (k, want) in e {
        let got: Option<Value> = match k.as_str() {
            "result_code" => match m {
                Message::Abort { result_code, .. } => result_code.map(Value::from),
                Message::Nack { code, .. } => Some(Value::from(*code)),
                _ => f.and_then(|f| f.result_code).map(Value::from),
            },
            "amount" => f.and_then(|f| f.amount).map(Value::from),
            "data_length" => Some(Value::from(apdu.data.len())),
            "currency" => match m {
                Message::Registration { currency, .. } => currency.map(Value::from),
                _ => f.and_then(|f| f.currency).map(Value::from),
            },
            "terminal_id" => f.and_then(|f| f.terminal_id.clone()).map(Value::from),
            "trace" => f.and_then(|f| f.trace).map(Value::from),
            "receipt_no" => f.and_then(|f| {
                if f.receipt_no_none {
                    Some(Value::from("FFFF"))
                } else {
                    f.receipt_no.map(|r| {
                        if want.is_string() {
                            Value::from(format!("{r:04}"))
                        } else {
                            Value::from(r)
                        }
                    })
                }
            }),
            "password" => match m {
                Message::Registration { password, .. } | Message::WithPassword { password, .. } => {
                    Some(Value::from(password.clone()))
                }
                Message::StatusEnquiry { password, .. } => password.clone().map(Value::from),
                _ => None,
            },
            "attribute" => match m {
                Message::PrintLine(p) => Some(Value::from(p.attribute)),
                _ => None,
            },
            "text" => match m {
                Message::PrintLine(p) => Some(Value::from(decode_text(&p.text, cs))),
                _ => continue,
            },
            "is_last_line" => match m {
                Message::PrintLine(p) => Some(Value::from(p.is_last_line())),
                _ => None,
            },
            "additional_text_3c" => f
                .and_then(|f| f.additional_text.as_ref())
                .map(|t| Value::from(decode_text(t, cs))),
            "card_name" => f
                .and_then(|f| f.card_name.as_ref())
                .map(|t| Value::from(decode_text(t, cs))),
            "intermediate_status" => match m {
                Message::IntermediateStatus { status, .. } => Some(Value::from(*status)),
                _ => None,
            },
            "timeout" => match m {
                Message::IntermediateStatus { timeout, .. } => timeout.map(Value::from),
                _ => continue,
            },
            "sw_version" => match m {
                Message::Completion(Completion::Status { sw_version, .. }) => {
                    sw_version.as_ref().map(|s| Value::from(decode_text(s, cs)))
                }
                _ => continue,
            },
            "terminal_status" => match m {
                Message::Completion(Completion::Status {
                    terminal_status, ..
                }) => Some(Value::from(*terminal_status)),
                _ => None,
            },
            "status_byte_19" | "payment_type_19" | "card_type_19" => {
                f.and_then(|f| f.byte_19).map(Value::from)
            }
            "config_byte" => match m {
                Message::Registration { config, .. } => Some(Value::from(*config)),
                _ => None,
            },
            "service_byte" => f
                .and_then(|f| f.raw.iter().find(|b| b.id == 0x03))
                .map(|b| Value::from(b.value[0])),
            "time" => f.and_then(|f| f.time.clone()).map(Value::from),
            "date_mmdd" => f.and_then(|f| f.date.clone()).map(Value::from),
            "expiry_yymm" => f.and_then(|f| f.expiry.clone()).map(Value::from),
            "card_type_8a" => f.and_then(|f| f.card_type).map(Value::from),
            "card_type_id_8c" => f.and_then(|f| f.card_type_id).map(Value::from),
            // Decoded without its space padding.
            "vu_2a" => f
                .and_then(|f| f.vu_number.clone())
                .map(|v| Value::from(format!("{v:<15}"))),
            "tlv" => {
                let list: &[Tlv] = match m {
                    Message::PrintLine(p) => &p.tlv,
                    Message::Completion(Completion::Status { tlv, .. }) => tlv,
                    _ => f.map(|f| &f.tlv[..]).unwrap_or(&[]),
                };
                if want.is_object()
                    && want
                        .as_object()
                        .unwrap()
                        .keys()
                        .all(|k| u32::from_str_radix(k.split('_').next().unwrap(), 16).is_ok())
                {
                    tlv_matches(list, want, cs).map_err(|e| format!("tlv: {e}"))?;
                    n += 1;
                }
                continue;
            }
            "roundtrip_identical" => {
                let bytes = apdu.encode().unwrap();
                if let Some(f) = f {
                    let start = apdu.data.len() - encode_bmps(&f.raw).unwrap().len();
                    if encode_bmps(&parse_bmps(&apdu.data[start..], 0).unwrap()).unwrap()
                        != apdu.data[start..]
                    {
                        return Err("BMPs do not re-encode identically".into());
                    }
                }
                Some(Value::from(Apdu::decode_exact(&bytes).unwrap() == *apdu))
            }
            _ => continue,
        };
        eq(k, got, want)?;
        n += 1;
    }
    Ok(n)
}

#[test]
fn every_vector_decodes_as_expected_or_is_rejected_clearly() {
    let mut checked = 0;
    let mut rejected = 0;
    let mut failures = Vec::new();
    for v in vectors() {
        let id = v["id"].as_str().unwrap();
        let bytes = hex::decode(v["hex"].as_str().unwrap()).unwrap();
        let apdu_bytes = if v["transport"] == "serial" {
            match serial::deframe(&bytes) {
                Ok(b) => b,
                Err(e) => {
                    failures.push(format!("{id}: serial frame rejected: {e}"));
                    continue;
                }
            }
        } else {
            bytes
        };
        let decoded = Apdu::decode_exact(&apdu_bytes);
        if v.get("length_mismatch").is_some() {
            match decoded {
                Err(ZvtError::LengthMismatch {
                    declared, present, ..
                }) => {
                    assert_eq!(
                        declared as u64,
                        v["length_mismatch"]["declared"].as_u64().unwrap(),
                        "{id}"
                    );
                    assert_eq!(
                        present as u64,
                        v["length_mismatch"]["present"].as_u64().unwrap(),
                        "{id}"
                    );
                    rejected += 1;
                }
                other => failures.push(format!(
                    "{id}: a packet with a wrong length must be rejected, got {other:?}"
                )),
            }
            continue;
        }
        let apdu = match decoded {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{id}: {e}"));
                continue;
            }
        };
        match Message::decode(&apdu) {
            Ok(m) => match check(&v, &apdu, &m) {
                Ok(n) => checked += n,
                Err(e) => failures.push(format!("{id}: {e}\n    {m:?}")),
            },
            // Data that is no BMP sequence (synthetic packets with a bare byte): a
            // clear error naming the BMP is the right answer, as long as the vector
            // asserts nothing the error would hide.
            Err(e @ (ZvtError::UnknownBmp { .. } | ZvtError::BadBmp { .. })) => {
                let only_generic =
                    v["expect"].as_object().unwrap().keys().all(|k| {
                        matches!(k.as_str(), "command" | "data_length" | "length_bytes_le")
                    });
                let len_ok = v["expect"]["data_length"]
                    .as_u64()
                    .is_none_or(|n| n == apdu.data.len() as u64);
                if only_generic && len_ok {
                    rejected += 1;
                } else {
                    failures.push(format!("{id}: {e}"));
                }
            }
            Err(e) => failures.push(format!("{id}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} vector(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 150, "only {checked} expectations checked");
    assert!(rejected >= 5, "only {rejected} malformed vectors rejected");
    eprintln!("{checked} expectations checked, {rejected} malformed packets rejected");
}

#[test]
fn serial_vectors_have_good_crcs_and_reframe_identically() {
    for v in vectors().into_iter().filter(|v| v["transport"] == "serial") {
        let bytes = hex::decode(v["hex"].as_str().unwrap()).unwrap();
        let apdu = serial::deframe(&bytes).unwrap_or_else(|e| panic!("{}: {e}", v["id"]));
        assert_eq!(serial::frame(&apdu), bytes, "{}", v["id"]);
    }
}
