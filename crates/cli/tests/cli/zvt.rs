//! `slipkeeper zvt decode` as a support person runs it: readable by default, JSON with
//! `--json` after the subcommand, card data masked in both.

use crate::{sk, Dir};

/// A status information with a full card number in BMP 22 (as some terminals send it)
/// and an amount, and the same terminal's completion on a serial line.
const STATUS: &str = "040F1627000400000000255122F1F06228480000000000125F";
const SERIAL_COMPLETION: &str = "1002060f0bf0f0f7322e31342e3135001003b111";

#[test]
fn human_output_names_command_fields_and_framing() {
    let d = Dir::new();
    let r = sk(
        &d.p("unused.db"),
        &["zvt", "decode", STATUS, SERIAL_COMPLETION],
    )
    .ok();
    let out = r.stdout();
    for want in [
        "04 0F Status Information",
        "BMP 27 result code",
        "00 success",
        "BMP 04 amount",
        "25.51",
        "622848*********0125F",
        "06 0F Completion",
        "CRC B1 11 correct",
        "\"2.14.15\"",
    ] {
        assert!(out.contains(want), "{want:?} missing from:\n{out}");
    }
    assert!(!out.contains("6228480000000000125"), "{out}");
}

#[test]
fn json_after_the_subcommand_is_the_documented_form() {
    let d = Dir::new();
    let r = sk(&d.p("unused.db"), &["zvt", "decode", "--json", STATUS]).ok();
    assert!(!r.stdout().contains("6228480000000000125"));
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    let f = &v["frames"][0];
    assert_eq!(f["command"]["code"], "04 0F");
    assert_eq!(f["command"]["name"], "Status Information");
    assert_eq!(f["card_data_masked"], true);
    let amount = f["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "04")
        .unwrap();
    assert_eq!(amount["value"], 2551);
    assert_eq!(amount["kind"], "bmp");
    assert_eq!(amount["name"], "amount");
}

#[test]
fn a_damaged_serial_frame_says_so_and_fails() {
    let d = Dir::new();
    // The last CRC byte flipped.
    let bad = "1002060f0bf0f0f7322e31342e3135001003b1ee";
    let r = sk(&d.p("unused.db"), &["zvt", "decode", "--json", bad]).fails();
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(v["frames"][0]["serial"]["crc_ok"], false);
    assert!(v["frames"][0]["error"].as_str().unwrap().contains("CRC"));
    // Still read: the software version is there.
    assert!(r.stdout().contains("2.14.15"));
}
