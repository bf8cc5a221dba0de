//! Customers at the counter: amounts keyed in at the terminal while the ECR keeps an
//! authorisation without amount open.

use super::*;

/// An authorisation without amount: the terminal waits for the cashier to key it in.
pub fn is_armed(cmd: &Apdu) -> bool {
    (cmd.class, cmd.instr) == cmd::AUTHORISATION
        && matches!(Message::decode(cmd), Ok(Message::Command { fields, .. }) if fields.amount.is_none())
}

/// How long an armed authorisation waits: BMP 01 (seconds), else 60 s.
pub(crate) fn armed_wait(cmd: &Apdu) -> std::time::Duration {
    let secs = match Message::decode(cmd) {
        Ok(Message::Command { fields, .. }) => fields
            .raw
            .iter()
            .find(|b| b.id == 0x01)
            .and_then(|b| b.value.first().copied())
            .map(u64::from),
        _ => None,
    };
    std::time::Duration::from_secs(secs.unwrap_or(60).max(1))
}

/// Result code of an armed authorisation that ended with no customer.
pub const RC_NO_CUSTOMER: u8 = 0x6C;

/// A scripted stream of customers: `count` amounts at `per_minute`, from `seed`
/// (about one in fifteen ends in .13 and is declined).
pub async fn customer_flow(shared: Arc<Shared>, per_minute: u32, count: u64, seed: u64) {
    let mut rng = Rng::new(seed);
    let gap = std::time::Duration::from_secs_f64(60.0 / f64::from(per_minute.max(1)));
    for _ in 0..count {
        tokio::time::sleep(gap).await;
        shared.customer(customer_amount(&mut rng));
    }
}

/// One customer's amount in minor units.
pub fn customer_amount(rng: &mut Rng) -> u64 {
    let yuan = 1 + rng.below(500);
    if rng.below(15) == 0 {
        yuan * 100 + 13
    } else {
        yuan * 100 + rng.below(100) / 10 * 10
    }
}
