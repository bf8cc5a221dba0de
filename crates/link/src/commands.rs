//! The ECR commands Slipkeeper sends (FACTS.md §1.1).

use slipkeeper_zvt::{bcd_encode, encode_bmps, Apdu, Bmp};

fn pw(password: u32) -> Vec<u8> {
    bcd_encode(u64::from(password % 1_000_000), 3).unwrap_or_else(|| vec![0; 3])
}

/// Config byte asking for everything Slipkeeper mirrors: receipts sent to the ECR as
/// print commands (0x80 | 0x02 | 0x04) and intermediate status (0x08).
pub const MIRROR_CONFIG: u8 = 0x80 | 0x08 | 0x04 | 0x02;

/// 06 00 Registration: password, config byte, currency (positional, no 49 tag).
pub fn registration(password: u32, config: u8, currency: u16) -> Apdu {
    let mut d = pw(password);
    d.push(config);
    d.extend(bcd_encode(u64::from(currency), 2).unwrap_or_else(|| vec![0, 0]));
    Apdu::new(0x06, 0x00, d)
}

/// 05 01 Status enquiry.
pub fn status_enquiry() -> Apdu {
    Apdu::new(0x05, 0x01, Vec::new())
}

/// 06 01 Authorisation of `amount` minor units.
pub fn authorisation(amount: u64, currency: u16) -> Apdu {
    let bmps = [
        Bmp {
            id: 0x04,
            value: bcd_encode(amount, 6).unwrap_or_else(|| vec![0; 6]),
        },
        Bmp {
            id: 0x49,
            value: bcd_encode(u64::from(currency), 2).unwrap_or_else(|| vec![0, 0]),
        },
    ];
    Apdu::new(0x06, 0x01, encode_bmps(&bmps).unwrap_or_default())
}

/// 06 01 Authorisation without amount: the terminal waits up to `wait_secs` for the
/// cashier to key the amount in at the counter, then books it and reports it here.
/// This is how a mirror hears about payments made on a terminal nobody else drives.
pub fn armed_authorisation(wait_secs: u8, currency: u16) -> Apdu {
    let bmps = [
        Bmp {
            id: 0x01,
            value: vec![wait_secs],
        },
        Bmp {
            id: 0x49,
            value: bcd_encode(u64::from(currency), 2).unwrap_or_else(|| vec![0, 0]),
        },
    ];
    Apdu::new(0x06, 0x01, encode_bmps(&bmps).unwrap_or_default())
}

fn receipt_amount(receipt: u16, amount: Option<u64>) -> Vec<u8> {
    let mut bmps = vec![Bmp {
        id: 0x87,
        value: bcd_encode(u64::from(receipt), 2).unwrap_or_else(|| vec![0, 0]),
    }];
    if let Some(a) = amount {
        bmps.push(Bmp {
            id: 0x04,
            value: bcd_encode(a, 6).unwrap_or_else(|| vec![0; 6]),
        });
    }
    encode_bmps(&bmps).unwrap_or_default()
}

/// 06 22 Pre-authorisation (reservation) of `amount` minor units.
pub fn pre_authorisation(amount: u64, currency: u16) -> Apdu {
    let a = authorisation(amount, currency);
    Apdu::new(0x06, 0x22, a.data)
}

/// 06 24 Book total: take `amount` of the pre-authorisation with receipt `receipt`.
pub fn book_total(receipt: u16, amount: u64) -> Apdu {
    Apdu::new(0x06, 0x24, receipt_amount(receipt, Some(amount)))
}

/// 06 25 Pre-authorisation reversal: release the reservation with receipt `receipt`.
pub fn pre_auth_reversal(receipt: u16) -> Apdu {
    Apdu::new(0x06, 0x25, receipt_amount(receipt, None))
}

/// 06 30 Reversal (void) of receipt `receipt` in the open batch.
pub fn reversal(password: u32, receipt: u16) -> Apdu {
    let mut d = pw(password);
    d.extend(
        encode_bmps(&[Bmp {
            id: 0x87,
            value: bcd_encode(u64::from(receipt), 2).unwrap_or_else(|| vec![0, 0]),
        }])
        .unwrap_or_default(),
    );
    Apdu::new(0x06, 0x30, d)
}

/// 06 31 Refund.
pub fn refund(password: u32, amount: u64) -> Apdu {
    let mut d = pw(password);
    d.extend(
        encode_bmps(&[Bmp {
            id: 0x04,
            value: bcd_encode(amount, 6).unwrap_or_else(|| vec![0; 6]),
        }])
        .unwrap_or_default(),
    );
    Apdu::new(0x06, 0x31, d)
}

/// 06 50 End-of-day (settlement).
pub fn end_of_day(password: u32) -> Apdu {
    Apdu::new(0x06, 0x50, pw(password))
}

/// 06 10 Send turnover totals.
pub fn turnover_totals(password: u32) -> Apdu {
    Apdu::new(0x06, 0x10, pw(password))
}

/// 06 20 Repeat receipt.
pub fn repeat_receipt(password: u32) -> Apdu {
    Apdu::new(0x06, 0x20, pw(password))
}

/// 06 70 Diagnosis.
pub fn diagnosis() -> Apdu {
    Apdu::new(0x06, 0x70, Vec::new())
}

/// 06 02 Log-off.
pub fn log_off() -> Apdu {
    Apdu::new(0x06, 0x02, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_matches_a_real_capture() {
        // `06 00 06 12 34 56 DE 09 78` (EVerest capture, FACTS.md §1.2).
        assert_eq!(
            registration(123456, 0xDE, 978).encode().unwrap(),
            vec![0x06, 0x00, 0x06, 0x12, 0x34, 0x56, 0xDE, 0x09, 0x78]
        );
    }

    #[test]
    fn authorisation_matches_the_serial_vector() {
        // ecrterm-037: 06 01 0A 04 00 00 00 01 10 00 49 09 78
        assert_eq!(
            authorisation(11000, 978).encode().unwrap(),
            vec![0x06, 0x01, 0x0A, 0x04, 0, 0, 0, 0x01, 0x10, 0, 0x49, 0x09, 0x78]
        );
    }
}
