//! The ECR commands Slipkeeper sends (FACTS.md §1.1). Each builder fails, rather than
//! send something else, when a value does not fit its field (an amount of more than
//! twelve digits would otherwise go out as zero).

use slipkeeper_zvt::{bcd_encode, cmd, encode_bmps, Apdu, Bmp, ZvtError};

/// `value` as `len` bytes of packed BCD, or the field it does not fit.
fn bcd(field: &'static str, value: u64, len: usize) -> Result<Vec<u8>, ZvtError> {
    bcd_encode(value, len).ok_or(ZvtError::TooLarge {
        field,
        value,
        digits: len * 2,
    })
}

fn pw(password: u32) -> Result<Vec<u8>, ZvtError> {
    bcd("password", u64::from(password), 3)
}

/// Config byte asking for everything Slipkeeper mirrors: receipts sent to the ECR as
/// print commands (0x80 | 0x02 | 0x04) and intermediate status (0x08).
pub const MIRROR_CONFIG: u8 = 0x80 | 0x08 | 0x04 | 0x02;

/// 06 00 Registration: password, config byte, currency (positional, no 49 tag).
pub fn registration(password: u32, config: u8, currency: u16) -> Result<Apdu, ZvtError> {
    let mut d = pw(password)?;
    d.push(config);
    d.extend(bcd("currency", u64::from(currency), 2)?);
    Ok(Apdu::command(cmd::REGISTRATION, d))
}

/// 05 01 Status enquiry.
pub fn status_enquiry() -> Apdu {
    Apdu::command(cmd::STATUS_ENQUIRY, Vec::new())
}

fn amount_bmps(amount: u64, currency: u16) -> Result<Vec<u8>, ZvtError> {
    encode_bmps(&[
        Bmp {
            id: 0x04,
            value: bcd("amount", amount, 6)?,
        },
        Bmp {
            id: 0x49,
            value: bcd("currency", u64::from(currency), 2)?,
        },
    ])
}

/// 06 01 Authorisation of `amount` minor units.
pub fn authorisation(amount: u64, currency: u16) -> Result<Apdu, ZvtError> {
    Ok(Apdu::command(
        cmd::AUTHORISATION,
        amount_bmps(amount, currency)?,
    ))
}

/// 06 01 Authorisation without amount: the terminal waits up to `wait_secs` for the
/// cashier to key the amount in at the counter, then books it and reports it here.
/// This is how a mirror hears about payments made on a terminal nobody else drives.
pub fn armed_authorisation(wait_secs: u8, currency: u16) -> Result<Apdu, ZvtError> {
    let bmps = [
        Bmp {
            id: 0x01,
            value: vec![wait_secs],
        },
        Bmp {
            id: 0x49,
            value: bcd("currency", u64::from(currency), 2)?,
        },
    ];
    Ok(Apdu::command(cmd::AUTHORISATION, encode_bmps(&bmps)?))
}

fn receipt_amount(receipt: u16, amount: Option<u64>) -> Result<Vec<u8>, ZvtError> {
    let mut bmps = vec![Bmp {
        id: 0x87,
        value: bcd("receipt", u64::from(receipt), 2)?,
    }];
    if let Some(a) = amount {
        bmps.push(Bmp {
            id: 0x04,
            value: bcd("amount", a, 6)?,
        });
    }
    encode_bmps(&bmps)
}

/// 06 22 Pre-authorisation (reservation) of `amount` minor units.
pub fn pre_authorisation(amount: u64, currency: u16) -> Result<Apdu, ZvtError> {
    Ok(Apdu::command(
        cmd::PRE_AUTHORISATION,
        amount_bmps(amount, currency)?,
    ))
}

/// 06 24 Book total: take `amount` of the pre-authorisation with receipt `receipt`.
pub fn book_total(receipt: u16, amount: u64) -> Result<Apdu, ZvtError> {
    Ok(Apdu::command(
        cmd::BOOK_TOTAL,
        receipt_amount(receipt, Some(amount))?,
    ))
}

/// 06 25 Pre-authorisation reversal: release the reservation with receipt `receipt`.
pub fn pre_auth_reversal(receipt: u16) -> Result<Apdu, ZvtError> {
    Ok(Apdu::command(
        cmd::PRE_AUTH_REVERSAL,
        receipt_amount(receipt, None)?,
    ))
}

/// 06 30 Reversal (void) of receipt `receipt` in the open batch.
pub fn reversal(password: u32, receipt: u16) -> Result<Apdu, ZvtError> {
    let mut d = pw(password)?;
    d.extend(receipt_amount(receipt, None)?);
    Ok(Apdu::command(cmd::REVERSAL, d))
}

/// 06 31 Refund.
pub fn refund(password: u32, amount: u64) -> Result<Apdu, ZvtError> {
    let mut d = pw(password)?;
    d.extend(encode_bmps(&[Bmp {
        id: 0x04,
        value: bcd("amount", amount, 6)?,
    }])?);
    Ok(Apdu::command(cmd::REFUND, d))
}

/// 06 50 End-of-day (settlement).
pub fn end_of_day(password: u32) -> Result<Apdu, ZvtError> {
    Ok(Apdu::command(cmd::END_OF_DAY, pw(password)?))
}

/// 06 10 Send turnover totals.
pub fn turnover_totals(password: u32) -> Result<Apdu, ZvtError> {
    Ok(Apdu::command(cmd::TURNOVER_TOTALS, pw(password)?))
}

/// 06 20 Repeat receipt.
pub fn repeat_receipt(password: u32) -> Result<Apdu, ZvtError> {
    Ok(Apdu::command(cmd::REPEAT_RECEIPT, pw(password)?))
}

/// 06 70 Diagnosis.
pub fn diagnosis() -> Apdu {
    Apdu::command(cmd::DIAGNOSIS, Vec::new())
}

/// 06 02 Log-off.
pub fn log_off() -> Apdu {
    Apdu::command(cmd::LOG_OFF, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_matches_a_real_capture() {
        // `06 00 06 12 34 56 DE 09 78` (EVerest capture, FACTS.md §1.2).
        assert_eq!(
            registration(123456, 0xDE, 978).unwrap().encode().unwrap(),
            vec![0x06, 0x00, 0x06, 0x12, 0x34, 0x56, 0xDE, 0x09, 0x78]
        );
    }

    #[test]
    fn authorisation_matches_the_serial_vector() {
        // ecrterm-037: 06 01 0A 04 00 00 00 01 10 00 49 09 78
        assert_eq!(
            authorisation(11000, 978).unwrap().encode().unwrap(),
            vec![0x06, 0x01, 0x0A, 0x04, 0, 0, 0, 0x01, 0x10, 0, 0x49, 0x09, 0x78]
        );
    }

    #[test]
    fn a_value_that_does_not_fit_is_an_error_not_a_zero() {
        let e = authorisation(1_000_000_000_000, 156).unwrap_err();
        assert!(e.to_string().contains("amount 1000000000000"), "{e}");
        assert!(refund(0, u64::MAX).is_err());
        assert!(
            registration(1_000_000, 0, 156).is_err(),
            "a 7-digit password"
        );
    }
}
