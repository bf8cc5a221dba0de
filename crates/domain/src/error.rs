use thiserror::Error;

/// Why a value was refused at construction. `field` names the thing the shop owner
/// would recognise (e.g. "trace_no"), so an importer can point at file:line:field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("{field}: {reason} (got {value:?})")]
    Invalid {
        field: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("currency mismatch: {left} vs {right}")]
    CurrencyMismatch { left: String, right: String },
    #[error("amount overflow")]
    Overflow,
}

impl DomainError {
    pub(crate) fn invalid(
        field: &'static str,
        value: impl Into<String>,
        reason: &'static str,
    ) -> Self {
        DomainError::Invalid {
            field,
            value: value.into(),
            reason,
        }
    }

    /// The field a value was refused for, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            DomainError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}
