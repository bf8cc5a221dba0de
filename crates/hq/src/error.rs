use thiserror::Error;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum HqError {
    #[error("the head-office address is not valid: {0}")]
    BadAddress(String),
    #[error("cannot reach head office at {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error("head office's database refused: {0}")]
    Db(String),
    #[error(
        "the database role {role} does not send for any shop; head office adds a shop with `slipkeeper hq add-shop`"
    )]
    NotAShop { role: String },
    #[error(
        "head office holds {theirs} records from shop {shop}, this journal only {ours}: is this the shop's journal (--db)?"
    )]
    AheadOfJournal {
        shop: String,
        theirs: i64,
        ours: i64,
    },
    #[error(
        "head office's record {seq} from shop {shop} differs from this journal's: the journal was replaced or restored from another shop's backup; nothing was sent"
    )]
    Diverged { shop: String, seq: i64 },
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error(transparent)]
    Journal(#[from] slipkeeper_journal::JournalError),
}

impl From<postgres::Error> for HqError {
    fn from(e: postgres::Error) -> Self {
        // The server's own message (with its detail) says what was refused; the
        // client's Display adds only "db error:".
        match e.as_db_error() {
            Some(d) => {
                let mut msg = d.message().to_owned();
                if let Some(detail) = d.detail() {
                    msg.push_str(" (");
                    msg.push_str(detail);
                    msg.push(')');
                }
                HqError::Db(slipkeeper_domain::mask_pans_in_text(&msg))
            }
            None if e.is_closed() => HqError::Connect {
                target: "the database".into(),
                reason: "the connection was closed".into(),
            },
            None => HqError::Db(slipkeeper_domain::mask_pans_in_text(&e.to_string())),
        }
    }
}
