//! What the zvt test binaries share: the public packet vectors (`tests/fixtures`, copies
//! of `shared/zvt/vectors` with their attribution).

#![allow(dead_code, clippy::unwrap_used)] // each binary uses part of it; a test fails loudly

use serde_json::Value;
use slipkeeper_zvt::Charset;

/// The vector files, one per public implementation they come from.
pub const FILES: [&str; 5] = [
    "ecrterm",
    "everest_zvt",
    "kotlin_zvt_library",
    "minlux_zvt",
    "portalum_zvt",
];

/// Every vector, as its JSON object.
pub fn vectors() -> Vec<Value> {
    FILES
        .iter()
        .flat_map(|f| {
            let path = format!("{}/tests/fixtures/{f}.json", env!("CARGO_MANIFEST_DIR"));
            serde_json::from_str::<Vec<Value>>(&std::fs::read_to_string(path).unwrap()).unwrap()
        })
        .collect()
}

/// Every vector as (id, serial framing, bytes).
pub fn vector_bytes() -> Vec<(String, bool, Vec<u8>)> {
    vectors()
        .into_iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_owned(),
                v["transport"] == "serial",
                hex::decode(v["hex"].as_str().unwrap()).unwrap(),
            )
        })
        .collect()
}

/// The character set a vector's text is in, by what its `expect.charset` says.
pub fn charset_of(v: &Value) -> Charset {
    let c = v["expect"]["charset"].as_str().unwrap_or("");
    if c.contains("UTF-8") {
        Charset::Utf8
    } else if c.contains("8859-1") {
        Charset::Iso8859(1)
    } else if c.contains("7-bit") {
        Charset::Zvt7
    } else {
        Charset::Cp437
    }
}
