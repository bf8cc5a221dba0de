//! Card-data masking over every public packet vector: a masked frame still decodes as
//! the same message, its card number shows at most the first six and last four
//! digits, and a frame without card data is stored exactly as received.

use slipkeeper_zvt::{mask_card_data, serial, Apdu, Message};

use crate::support;
use support::vector_bytes as vectors;

fn decode(serial_framed: bool, bytes: &[u8]) -> Option<Message> {
    let apdu = if serial_framed {
        serial::deframe(bytes).ok()?
    } else {
        bytes.to_vec()
    };
    Message::decode(&Apdu::decode_exact(&apdu).ok()?).ok()
}

fn pan_of(m: &Message) -> Option<String> {
    // The Debug form carries every decoded field; the PAN is the one named `pan`.
    let d = format!("{m:?}");
    let at = d.find("pan: Some(\"")? + "pan: Some(\"".len();
    Some(d[at..].split('"').next()?.to_owned())
}

#[test]
fn every_vector_still_decodes_after_masking_and_shows_no_full_pan() {
    let mut with_pan = 0;
    for (id, serial_framed, bytes) in vectors() {
        let m = mask_card_data(&bytes);
        let before = decode(serial_framed, &bytes);
        let after = decode(serial_framed, &m.bytes);
        assert_eq!(
            before.is_some(),
            after.is_some(),
            "{id}: decodability changed"
        );
        if !m.masked {
            assert_eq!(m.bytes, bytes, "{id}: changed but not marked masked");
        }
        if let (Some(b), Some(a)) = (&before, &after) {
            // The same kind of message with the same fields, but for the card data.
            assert_eq!(
                std::mem::discriminant(b),
                std::mem::discriminant(a),
                "{id}: another message after masking"
            );
            if let Some(pan) = pan_of(a) {
                with_pan += 1;
                let shown = pan.chars().filter(char::is_ascii_digit).count();
                assert!(shown <= 10, "{id}: {pan} shows {shown} digits");
            }
        }
    }
    assert!(
        with_pan > 0,
        "no vector carries a card number: the test checks nothing"
    );
}
