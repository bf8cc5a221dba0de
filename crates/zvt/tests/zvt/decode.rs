//! `zvt decode` over every public vector: the human form matches a reviewed snapshot
//! (`tests/snapshots/decode.txt`; regenerate with `UPDATE_SNAPSHOTS=1` and review the
//! diff), and the JSON form carries every value the vector's `expect` names, at the
//! field it belongs to.

use serde_json::Value;
use slipkeeper_zvt::describe::{describe_frames, render_text, DecodeOptions};
use slipkeeper_zvt::Charset;

use crate::support;
use support::vectors;

fn options(v: &Value) -> DecodeOptions {
    let charset = support::charset_of(v);
    DecodeOptions {
        serial: v["transport"] == "serial",
        charset,
        charset_chosen: charset != Charset::Cp437,
    }
}

fn decode(v: &Value) -> (Value, String) {
    let bytes = hex::decode(v["hex"].as_str().unwrap()).unwrap();
    let frames = describe_frames(&[bytes], options(v));
    let mut text = Vec::new();
    render_text(&frames, &mut text).unwrap();
    (
        serde_json::to_value(&frames[0]).unwrap(),
        String::from_utf8(text).unwrap(),
    )
}

#[test]
fn human_output_matches_the_reviewed_snapshot() {
    let mut all = String::new();
    for v in vectors() {
        let (_, text) = decode(&v);
        all.push_str(&format!(
            "## {} {}\n{text}",
            v["id"].as_str().unwrap(),
            v["hex"].as_str().unwrap()
        ));
    }
    let path = format!("{}/tests/snapshots/decode.txt", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(format!("{}/tests/snapshots", env!("CARGO_MANIFEST_DIR"))).unwrap();
        std::fs::write(&path, &all).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    if want != all {
        let first = want
            .lines()
            .zip(all.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(all.lines().count()));
        panic!(
            "decode output differs from the snapshot at line {}:\n  want {:?}\n  got  {:?}\n(UPDATE_SNAPSHOTS=1 to regenerate, then review the diff)",
            first + 1,
            want.lines().nth(first),
            all.lines().nth(first)
        );
    }
}

/// Every field of a frame, depth-first.
fn all_fields(f: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    descend(&f["fields"], &mut out);
    out
}

fn field<'a>(f: &'a Value, kind: &str, id: &str) -> Option<&'a Value> {
    all_fields(f)
        .into_iter()
        .find(|x| x["kind"] == kind && x["id"].as_str().unwrap().eq_ignore_ascii_case(id))
}

/// The vectors write CR and NUL inside text as the two characters `\r`, `\0`.
fn unescape(want: &Value) -> Value {
    match want {
        Value::String(s) => Value::from(s.replace("\\r", "\r").replace("\\0", "\0")),
        other => other.clone(),
    }
}

fn loose(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A scalar the vector names against a field: its typed value, or its bytes as hex.
fn scalar_matches(field: &Value, want: &Value) -> bool {
    let want = unescape(want);
    if field["value"] == want {
        return true;
    }
    let hex = field["hex"].as_str().unwrap_or("");
    match &want {
        Value::String(s) => hex.eq_ignore_ascii_case(s),
        Value::Number(n) => u64::from_str_radix(hex, 16).ok() == n.as_u64(),
        _ => false,
    }
}

/// Matches an `expect.tlv` entry (`"1F44_terminal_id": "52500245"`, nested maps,
/// lists of repeated tags) against the TLV fields under `scope`.
fn children(c: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    descend(&c["children"], &mut out);
    out
}

fn descend<'a>(list: &'a Value, out: &mut Vec<&'a Value>) {
    for x in list.as_array().into_iter().flatten() {
        out.push(x);
        descend(&x["children"], out);
    }
}

fn tlv_matches(scope: &[&Value], key: &str, want: &Value) -> Result<(), String> {
    let tag = key.split('_').next().unwrap().to_uppercase();
    let cands: Vec<&Value> = scope
        .iter()
        .copied()
        .filter(|x| x["kind"] == "tlv" && x["id"] == tag.as_str())
        .collect();
    let one = |c: &Value, want: &Value| -> bool {
        match want {
            Value::Object(m) => m
                .iter()
                .all(|(k, w)| tlv_matches(&children(c), k, w).is_ok()),
            // A length: the number of bytes the value has.
            Value::Number(n) if key.ends_with("payload_len") => {
                Some(c["hex"].as_str().unwrap().len() as u64 / 2) == n.as_u64()
            }
            w => scalar_matches(c, w),
        }
    };
    let ok = match want {
        Value::Null => cands.is_empty(),
        Value::Array(items) => items.iter().all(|w| match w {
            Value::Object(_) => cands.iter().any(|c| one(c, w)),
            // Repeated primitive tags: each listed value is one of them, or one of the
            // children of the container that holds them.
            _ => cands
                .iter()
                .any(|c| scalar_matches(c, w) || children(c).iter().any(|x| scalar_matches(x, w))),
        }),
        w => cands.iter().any(|c| one(c, w)),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("tlv {key}: expected {want}, found {cands:?}"))
    }
}

/// Keys that name no value of a single frame (library behaviour, round trips, notes)
/// or data this decoder shows raw on purpose (Feig system information, BMP 60 totals).
const NOT_A_FIELD: [&str; 15] = [
    "device_id",
    "roundtrip_identical",
    "note",
    "success",
    "result",
    "process_state",
    "parse_result",
    "result_code_reported_by_library",
    "files",
    "bmp60",
    "bmp60_single_totals",
    "battery_voltage",
    "temperature",
    "charset",
    "tlv_06_len",
];

fn check(v: &Value, f: &Value) -> Result<usize, String> {
    let mut checked = 0;
    let e = v["expect"].as_object().unwrap();
    let fields = all_fields(f);
    let any_text = |pred: &dyn Fn(&str) -> bool| {
        fields
            .iter()
            .filter_map(|x| x["value"].as_str())
            .any(|s| s.lines().chain(s.split('\r')).any(pred) || pred(s))
    };
    // A frame whose length byte disagrees is reported as such, and read as far as it goes.
    if v.get("length_mismatch").is_some()
        && f["error"].as_str().is_none_or(|e| !e.contains("declares"))
    {
        return Err(format!("length mismatch not reported: {}", f["error"]));
    }
    for (k, want) in e {
        if NOT_A_FIELD.contains(&k.as_str()) {
            continue;
        }
        let bmp = |id: &str| field(f, "bmp", id);
        let par = |id: &str| field(f, "param", id);
        let tlv = |id: &str| field(f, "tlv", id);
        let is = |x: Option<&Value>| -> bool {
            match x {
                None => want.is_null(),
                Some(x) => scalar_matches(x, want),
            }
        };
        let ok = match k.as_str() {
            "command" => {
                // The first "XX YY" pair of hex in the description ("… (04 0F) …");
                // "NACK (84 xx 00)" fixes only the class.
                let s = want.as_str().unwrap();
                let words: Vec<&str> = s.split([' ', '(', ')']).filter(|w| !w.is_empty()).collect();
                let is_hex = |w: &str| w.len() == 2 && u8::from_str_radix(w, 16).is_ok();
                let got = f["command"]["code"].as_str().unwrap_or("");
                match words.windows(2).find(|p| is_hex(p[0]) && is_hex(p[1])) {
                    Some(p) => got == format!("{} {}", p[0], p[1]).to_uppercase(),
                    None => words
                        .iter()
                        .find(|w| is_hex(w))
                        .is_none_or(|w| got.starts_with(&w.to_uppercase())),
                }
            }
            "amount" => is(bmp("04")),
            "trace" => is(bmp("0B")),
            "original_trace_37" => is(bmp("37")),
            "terminal_id" => is(bmp("29").or(tlv("1F44"))),
            "currency" => is(bmp("49").or(par("currency"))),
            "result_code" => is(bmp("27").or(par("result_code")).or(par("error_code"))),
            "code" => is(par("error_code")),
            "additional_text_3c" => is(bmp("3C")),
            "card_name" => is(bmp("8B")),
            "text" => {
                is(par("text"))
                    || fields.iter().any(|x| {
                        (x["id"] == "07" || x["id"].as_str().unwrap().starts_with('F'))
                            && scalar_matches(x, want)
                    })
            }
            "sw_version" => is(par("sw_version")),
            "terminal_status" => is(par("terminal_status")),
            "password" => is(par("password").or(bmp("3D"))),
            "config_byte" => is(par("config_byte")),
            "service_byte" => is(bmp("03")),
            "time" => is(bmp("0C")),
            "date_mmdd" => is(bmp("0D")),
            "expiry_yymm" => is(bmp("0E")),
            "receipt_no" => is(bmp("87")),
            "card_type_8a" => is(bmp("8A")),
            "card_type_id_8c" => is(bmp("8C")),
            "card_type_19" | "status_byte_19" | "payment_type_19" => is(bmp("19")),
            "card_type_name" => bmp("8A")
                .map(|x| {
                    loose(x["text"].as_str().unwrap()).contains(&loose(want.as_str().unwrap()))
                })
                .unwrap_or(false),
            "intermediate_status" => is(par("status")),
            "timeout" | "timeout_sec" => is(par("timeout")),
            "attribute" => is(par("attribute")),
            "is_last_line" => {
                par("attribute").unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .contains("last line")
                    == want.as_bool().unwrap()
            }
            "centred" => {
                par("attribute").unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .contains("centred")
                    == want.as_bool().unwrap()
            }
            "vu_2a" => is(bmp("2A")),
            "aid_3b" => is(bmp("3B")),
            "receipt_type_1F07" => is(tlv("1F07")),
            "tlv_09" => is(tlv("09")),
            "device_id" => is(tlv("1F42")),
            "dialog_control_FC" => is(bmp("FC")),
            "line1_F1" => is(bmp("F1")),
            "line2_F2" => is(bmp("F2")),
            "card_number" => {
                // "F0F8 474843EEEEEE7743 -> 474843******7743 (E = masked digit)"
                let s = want.as_str().unwrap();
                let shown = s.split("-> ").nth(1).unwrap().split(' ').next().unwrap();
                bmp("22").map(|x| x["value"] == shown).unwrap_or(false)
            }
            "data_length" | "length" | "extended_length" => {
                f["command"]["length"].as_u64() == want.as_u64()
            }
            "length_bytes_le" => f["command"]["extended_length"] == true,
            "serial_crc_ok" => f["serial"]["crc_ok"] == *want,
            "tlv_present" => bmp("06").is_some() == want.as_bool().unwrap(),
            "line_count_07" => {
                Some(
                    fields
                        .iter()
                        .filter(|x| x["kind"] == "tlv" && x["id"] == "07")
                        .count() as u64,
                ) == want.as_u64()
            }
            "tlv_60_count" => {
                Some(
                    fields
                        .iter()
                        .filter(|x| x["kind"] == "tlv" && x["id"] == "60")
                        .count() as u64,
                ) == want.as_u64()
            }
            "open_receipt_numbers" => want.as_array().unwrap().iter().all(|w| {
                fields
                    .iter()
                    .any(|x| x["id"] == "08" && scalar_matches(x, w))
            }),
            "message" => {
                let w = loose(want.as_str().unwrap());
                fields
                    .iter()
                    .any(|x| loose(x["text"].as_str().unwrap()).contains(&w))
            }
            "contains" => any_text(&|s| s.contains(want.as_str().unwrap())),
            "starts_with" => any_text(&|s| s.starts_with(want.as_str().unwrap())),
            "text_if_iso8859_1" => {
                let mut latin = v.clone();
                latin["expect"]["charset"] = Value::from("ISO-8859-1");
                let (f1, _) = decode(&latin);
                all_fields(&f1)
                    .iter()
                    .any(|x| x["value"].as_str() == want.as_str())
            }
            "first_nonempty_line" => any_text(&|s| s.trim() == want.as_str().unwrap().trim()),
            "tlv" => want
                .as_object()
                .unwrap()
                .iter()
                .all(|(tk, tw)| tlv_matches(&fields, tk, tw).is_ok()),
            other => {
                return Err(format!(
                    "expect key {other:?} is new: teach this test where it lives"
                ))
            }
        };
        if !ok {
            // Bytes the decoder cannot read (a frame cut short or over-long, vendor data
            // it does not interpret) are shown raw; values inside them are not claimed.
            let raw = fields.iter().any(|x| x["kind"] == "rest");
            let unreadable = v.get("length_mismatch").is_some() || f["command"]["code"] == "06 0F";
            if raw && unreadable && k != "command" {
                continue;
            }
            return Err(format!("{k}: expected {want}"));
        }
        checked += 1;
    }
    Ok(checked)
}

#[test]
fn json_carries_every_value_the_vectors_expect() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let all = vectors();
    for v in &all {
        let (json, _) = decode(v);
        match check(v, &json) {
            Ok(n) => checked += n,
            Err(e) => failures.push(format!(
                "{}: {e}\n  {}",
                v["id"],
                serde_json::to_string(&json).unwrap()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    assert!(checked > 300, "only {checked} values checked");
}

/// A card field as shown: at most the first six and last four digits of the number,
/// no digit after the separator; `*` for the rest, `D`/`F` where they were.
fn masked_ok(s: &str) -> bool {
    let (number, after) = match s.find(['D', '=']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let number = number
        .trim_start_matches(['B', '%', ';'])
        .trim_end_matches('F');
    let n = number.chars().count();
    let middle: String = number.chars().skip(6).take(n.saturating_sub(10)).collect();
    !middle.chars().any(|c| c.is_ascii_digit()) && !after.chars().any(|c| c.is_ascii_digit())
}

#[test]
fn card_fields_never_show_more_than_six_and_four() {
    let mut card_fields = 0;
    let mut frames: Vec<Value> = vectors();
    // Full card data as terminals may send it: BMP 22, BMP 23 track 2, TLV 5A and 57,
    // a print line.
    for hex in [
        "040F0D22F1F06228480000000000123F",
        // The same with a wrong LLVAR length: the BMPs do not walk.
        "040F0C22F0F96228480000000000123F",
        "040F0F23F1F24761739001010119D2512201",
        "040F1A06185A084761739001010119570C4761739001010119D2512201",
        "06D1140036323238343830303030303030303030313235",
    ] {
        frames.push(serde_json::json!({ "id": hex, "hex": hex, "transport": "tcp", "expect": {} }));
    }
    for v in frames {
        let (json, text) = decode(&v);
        for f in all_fields(&json) {
            let id = f["id"].as_str().unwrap();
            let card = match f["kind"].as_str() {
                Some("bmp") => ["22", "23", "24", "2D"].contains(&id),
                Some("tlv") => ["5A", "57", "56", "9F6B"].contains(&id),
                _ => false,
            };
            if card {
                card_fields += 1;
                let s = f["value"].as_str().unwrap();
                assert!(masked_ok(s), "{}: {s}", v["id"]);
            }
        }
        for full in [
            "6228480000000000123",
            "4761739001010119",
            "6228480000000000125",
        ] {
            assert!(
                !json.to_string().contains(full) && !text.contains(full),
                "{}",
                v["id"]
            );
        }
    }
    assert!(card_fields >= 6, "only {card_fields} card fields seen");
}
