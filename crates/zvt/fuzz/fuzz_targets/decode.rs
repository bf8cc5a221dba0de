//! Whatever bytes arrive on a TCP stream or a serial line, the decoder returns a value
//! or an error — it never panics, never loops, never allocates without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slipkeeper_zvt::{serial, Apdu, Message};

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = Apdu::decode_exact(data) {
        let _ = Message::decode(&a);
        let again = Apdu::decode_exact(&a.encode().expect("a decoded APDU re-encodes")).expect("and decodes");
        assert_eq!(again, a);
    }
    let mut rest = data;
    while let Ok(Some((a, used))) = Apdu::read(rest) {
        let _ = Message::decode(&a);
        rest = &rest[used..];
    }
    if let Ok(apdu) = serial::deframe(data) {
        assert!(serial::frame(&apdu).len() <= data.len());
    }
    let mut d = serial::Deframer::default();
    for &b in data {
        let _ = d.push(b);
    }
});
