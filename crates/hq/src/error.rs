use thiserror::Error;

/// Why head office could not do what was asked.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum HqError {
    /// The `--hq` address does not parse (what is wrong with it).
    #[error("the head-office address is not valid: {0}")]
    BadAddress(String),
    /// The server could not be reached or refused the login.
    #[error("cannot reach head office at {target}: {reason}")]
    Connect {
        /// The address as shown to the user (never with its password).
        target: String,
        /// Why, as the client said it.
        reason: String,
    },
    /// The server refused a statement (what it said).
    #[error("head office's database refused: {0}")]
    Db(String),
    /// The login role is not one of a shop's.
    #[error(
        "the database role {role} does not send for any shop; head office adds a shop with `slipkeeper hq add-shop`"
    )]
    NotAShop {
        /// The login role used.
        role: String,
    },
    /// Head office holds more of the shop's chain than this journal has: the wrong
    /// journal, or an old backup of it.
    #[error(
        "head office holds {theirs} records from shop {shop}, this journal only {ours}: is this the shop's journal (--db)?"
    )]
    AheadOfJournal {
        /// The shop's id.
        shop: String,
        /// The newest entry head office holds.
        theirs: i64,
        /// The newest entry of this journal.
        ours: i64,
    },
    /// Head office's copy of an entry differs from the journal's: another shop's
    /// journal or backup; nothing is sent.
    #[error(
        "head office's record {seq} from shop {shop} differs from this journal's: the journal was replaced or restored from another shop's backup; nothing was sent"
    )]
    Diverged {
        /// The shop's id.
        shop: String,
        /// The first entry that differs.
        seq: i64,
    },
    /// A value given to head office is not acceptable (what and why).
    #[error("{0}")]
    Invalid(String),
    /// A file head office was given (a certificate) cannot be used.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The shop's own journal could not be read.
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
