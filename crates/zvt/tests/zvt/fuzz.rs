//! The ZVT decoders and the card-data masker, fuzzed on every test run (see
//! slipkeeper_testkit::fuzz): whatever arrives on a socket or a serial line is a value
//! or an error, never a panic; masking never changes a TCP frame's length.

use slipkeeper_testkit::fuzz;

use slipkeeper_zvt::{mask_card_data, serial, Apdu, Message};
use std::path::Path;

fn corpus(name: &str) -> Vec<Vec<u8>> {
    fuzz::corpus(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/corpus")
            .join(name),
    )
}

#[test]
fn fuzz_frames() {
    fuzz::run("zvt frame", &corpus("frame"), 20_000, |data| {
        if let Ok(a) = Apdu::decode_exact(data) {
            let _ = Message::decode(&a);
            let again = Apdu::decode_exact(&a.encode().unwrap()).unwrap();
            assert_eq!(again, a);
        }
        let mut rest = data;
        while let Ok(Some((a, used))) = Apdu::read(rest) {
            let _ = Message::decode(&a);
            rest = &rest[used..];
        }
        let m = mask_card_data(data);
        if !data.starts_with(&[0x10, 0x02]) {
            assert_eq!(m.bytes.len(), data.len());
        }
        if !m.masked {
            assert_eq!(m.bytes, data, "changed but not marked masked");
        }
    });
}

#[test]
fn fuzz_serial_frames() {
    fuzz::run("zvt serial", &corpus("serial"), 20_000, |data| {
        if let Ok(apdu) = serial::deframe(data) {
            assert!(serial::frame(&apdu).len() <= data.len());
            let _ = Apdu::decode_exact(&apdu).map(|a| Message::decode(&a));
        }
        let mut d = serial::Deframer::default();
        for &b in data {
            let _ = d.push(b);
        }
        let _ = mask_card_data(data);
    });
}
