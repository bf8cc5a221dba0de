//! The decoder faces bytes from a serial line or a network: whatever arrives, it
//! returns an error or a value — it never panics. Random bytes and mutations of the
//! real vectors, many thousands of cases per run. (A coverage-guided `cargo fuzz`
//! target needs a nightly toolchain, which the project does not use.) CI runs a few
//! thousand cases per property; for a long run:
//! `SLIPKEEPER_FUZZ_CASES=1000000 cargo test --release -p slipkeeper-zvt --test robustness`.

use proptest::prelude::*;
use slipkeeper_zvt::{serial, Apdu, Message};

fn exercise(bytes: &[u8]) {
    if let Ok(a) = Apdu::decode_exact(bytes) {
        let _ = Message::decode(&a);
        // Whatever decodes re-encodes to the same APDU (a short length sent in the
        // extended form, e.g. `FF 01 00`, is accepted and re-encoded in the short one).
        assert_eq!(Apdu::decode_exact(&a.encode().unwrap()).unwrap(), a);
    }
    let mut rest = bytes;
    while let Ok(Some((a, used))) = Apdu::read(rest) {
        let _ = Message::decode(&a);
        rest = &rest[used..];
    }
    let _ = serial::deframe(bytes);
    let mut d = serial::Deframer::default();
    for &b in bytes {
        let _ = d.push(b);
    }
}

fn cases() -> u32 {
    std::env::var("SLIPKEEPER_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000)
}

fn vector_bytes() -> Vec<Vec<u8>> {
    [
        "ecrterm",
        "everest_zvt",
        "kotlin_zvt_library",
        "minlux_zvt",
        "portalum_zvt",
    ]
    .iter()
    .flat_map(|f| {
        let path = format!("{}/tests/fixtures/{f}.json", env!("CARGO_MANIFEST_DIR"));
        let v: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v.into_iter()
            .map(|x| hex::decode(x["hex"].as_str().unwrap()).unwrap())
            .collect::<Vec<_>>()
    })
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        exercise(&bytes);
    }

    #[test]
    fn random_messages_with_valid_headers_never_panic(
        class in prop_oneof![Just(0x04u8), Just(0x05), Just(0x06), Just(0x08), Just(0x80), Just(0x84)],
        instr: u8,
        data in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let a = Apdu::new(class, instr, data);
        exercise(&a.encode().unwrap());
    }

    #[test]
    fn mutated_real_packets_never_panic(pick: prop::sample::Index, flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4), cut: prop::sample::Index) {
        let all = vector_bytes();
        let mut bytes = all[pick.index(all.len())].clone();
        for (at, x) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= x;
        }
        exercise(&bytes);
        let n = cut.index(bytes.len() + 1);
        exercise(&bytes[..n]);
    }
}
