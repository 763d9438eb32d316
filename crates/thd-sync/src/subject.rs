//! What goes through acceptance: a delivery as a whole, or one SRO or PBO zone of a delivery.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A subject of acceptance. A zone is a zone *of a delivery*: the same zone code in a later delivery is
/// another subject, so each acceptance is about the works as one package described them (see
/// [`crate::SyncStore::acceptances`] for how the planning code picks among them).
///
/// In JSON: `{"kind": "delivery", "delivery_id": 3}`, `{"kind": "sro", "delivery_id": 3, "code": "ZS001"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Subject {
    Delivery {
        delivery_id: i64,
    },
    /// An SRO zone (GraceTHD `zs_code`).
    Sro {
        delivery_id: i64,
        code: String,
    },
    /// A PBO zone (GraceTHD `zp_code`).
    Pbo {
        delivery_id: i64,
        code: String,
    },
}

/// The kind of a subject, for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Delivery,
    Sro,
    Pbo,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 3] = [Self::Delivery, Self::Sro, Self::Pbo];

    /// The code stored in the tables and used by the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Delivery => "delivery",
            Self::Sro => "sro",
            Self::Pbo => "pbo",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl Subject {
    pub fn delivery(delivery_id: i64) -> Self {
        Self::Delivery { delivery_id }
    }

    pub fn sro(delivery_id: i64, code: impl Into<String>) -> Self {
        Self::Sro {
            delivery_id,
            code: code.into(),
        }
    }

    pub fn pbo(delivery_id: i64, code: impl Into<String>) -> Self {
        Self::Pbo {
            delivery_id,
            code: code.into(),
        }
    }

    pub fn delivery_id(&self) -> i64 {
        match self {
            Self::Delivery { delivery_id }
            | Self::Sro { delivery_id, .. }
            | Self::Pbo { delivery_id, .. } => *delivery_id,
        }
    }

    pub fn kind(&self) -> SubjectKind {
        match self {
            Self::Delivery { .. } => SubjectKind::Delivery,
            Self::Sro { .. } => SubjectKind::Sro,
            Self::Pbo { .. } => SubjectKind::Pbo,
        }
    }

    /// The zone code; empty for a delivery (which is how the tables key it, so that one unique key covers all
    /// kinds on both backends).
    pub fn code(&self) -> &str {
        match self {
            Self::Delivery { .. } => "",
            Self::Sro { code, .. } | Self::Pbo { code, .. } => code,
        }
    }

    /// Rebuilds a subject from its stored columns; `None` for a kind this build does not know.
    pub(crate) fn from_parts(delivery_id: i64, kind: &str, code: String) -> Option<Self> {
        Some(match SubjectKind::from_code(kind)? {
            SubjectKind::Delivery => Self::Delivery { delivery_id },
            SubjectKind::Sro => Self::Sro { delivery_id, code },
            SubjectKind::Pbo => Self::Pbo { delivery_id, code },
        })
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Delivery { delivery_id } => write!(f, "delivery {delivery_id}"),
            Self::Sro { delivery_id, code } => {
                write!(f, "SRO zone {code:?} of delivery {delivery_id}")
            }
            Self::Pbo { delivery_id, code } => {
                write!(f, "PBO zone {code:?} of delivery {delivery_id}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_have_the_documented_json_and_come_back_from_their_columns() {
        let zone = Subject::sro(3, "ZS001");
        assert_eq!(
            serde_json::to_string(&zone).expect("json"),
            r#"{"kind":"sro","delivery_id":3,"code":"ZS001"}"#
        );
        let parsed: Subject =
            serde_json::from_str(r#"{"kind":"delivery","delivery_id":7}"#).expect("parse");
        assert_eq!(parsed, Subject::delivery(7));
        for subject in [
            Subject::delivery(1),
            Subject::sro(2, "ZS"),
            Subject::pbo(3, "ZP"),
        ] {
            let back = Subject::from_parts(
                subject.delivery_id(),
                subject.kind().code(),
                subject.code().to_owned(),
            );
            assert_eq!(back, Some(subject));
        }
        assert_eq!(Subject::from_parts(1, "nro", "ZN".into()), None);
    }
}
