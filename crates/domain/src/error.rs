use thiserror::Error;

/// Why a value was refused at construction. `field` names the thing the shop owner
/// would recognise (e.g. "trace_no"), so an importer can point at file:line:field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A value that breaks its field's rules.
    #[error("{field}: {reason} (got {value:?})")]
    Invalid {
        /// The field, as the shop owner would recognise it.
        field: &'static str,
        /// What was given (masked where it could be a card number).
        value: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// Amounts in two currencies were added or compared.
    #[error("currency mismatch: {left} vs {right}")]
    CurrencyMismatch {
        /// The first amount's currency.
        left: String,
        /// The second amount's currency.
        right: String,
    },
    /// An amount beyond what 64 bits of minor units hold.
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
