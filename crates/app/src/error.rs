use serde::Serialize;
use slipkeeper_journal::JournalError;
use std::path::Path;

/// What the UI can branch on. Add a code only when a caller needs to tell it apart.
#[derive(ts_rs::TS, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The file is not a Slipkeeper journal (or not a database at all).
    NotAJournal,
    /// The journal was written by a newer version.
    NewerSchema,
    /// Bad input from the user or a file: the message says where.
    BadInput,
    NotFound,
    /// Something the shop has not set up yet (the receipt printer, the shop's name,
    /// a backup folder): not a mistake in what was typed. `field` names the setting.
    NotSetUp,
    /// Stored data cannot be read back; run verify.
    Corrupt,
    Io,
    /// Head office's database could not be reached or refused (the message says which).
    HeadOffice,
    Internal,
}

/// An error as the user sees it: `{code, message}` across IPC, one line in the CLI.
#[derive(ts_rs::TS, Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// The form field or flag the error is about, when it is about one (`batch`, `from` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl AppError {
    /// Every message the user sees goes through here, so no message can carry a full
    /// card number (one quoted from a file, a terminal or a typo): it is masked.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError {
            code,
            message: match slipkeeper_domain::mask_pans(&message) {
                std::borrow::Cow::Borrowed(_) => message,
                std::borrow::Cow::Owned(m) => m,
            },
            field: None,
        }
    }

    /// The same error, about `field`.
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    pub fn io(path: &Path, e: std::io::Error) -> Self {
        AppError::new(ErrorCode::Io, format!("{}: {e}", path.display()))
    }
}

impl From<JournalError> for AppError {
    fn from(e: JournalError) -> Self {
        let code = match &e {
            JournalError::NotAJournal { .. } => ErrorCode::NotAJournal,
            JournalError::NewerSchema { .. } => ErrorCode::NewerSchema,
            JournalError::Import(_) | JournalError::Invalid(_) => ErrorCode::BadInput,
            JournalError::NotFound { .. } | JournalError::Missing { .. } => ErrorCode::NotFound,
            JournalError::Corrupt { .. } | JournalError::BackupDoesNotVerify { .. } => {
                ErrorCode::Corrupt
            }
            JournalError::Io { .. } => ErrorCode::Io,
            _ => ErrorCode::Internal,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<slipkeeper_domain::DomainError> for AppError {
    fn from(e: slipkeeper_domain::DomainError) -> Self {
        AppError::new(ErrorCode::BadInput, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_never_carries_a_full_card_number() {
        let e = AppError::new(
            ErrorCode::BadInput,
            "卡号 ６２２５８８０２１２３４５６７３ 无效",
        );
        assert_eq!(e.message, "卡号 ６２２５８８******５６７３ 无效");
    }

    #[test]
    fn crosses_ipc_as_code_and_message() {
        let e = AppError::new(ErrorCode::NotFound, "voucher 000042 is not in the journal");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({ "code": "NOT_FOUND", "message": "voucher 000042 is not in the journal" })
        );
    }

    #[test]
    fn journal_errors_get_the_code_the_ui_branches_on() {
        let newer = JournalError::NewerSchema {
            path: "j.db".into(),
            found: 9,
            supported: 1,
        };
        assert_eq!(AppError::from(newer).code, ErrorCode::NewerSchema);
        let not = JournalError::NotAJournal {
            path: "x".into(),
            reason: "text".into(),
        };
        assert_eq!(AppError::from(not).code, ErrorCode::NotAJournal);
        let bad = slipkeeper_domain::TraceNo::new("x").unwrap_err();
        let e = AppError::from(bad);
        assert_eq!(e.code, ErrorCode::BadInput);
        assert!(e.message.contains("trace_no"), "{}", e.message);
    }
}
