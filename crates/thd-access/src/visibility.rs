//! Which deliveries a caller sees: those its organisation owns, and those whose zone one of its grants
//! matches — nothing else. Computed once per request ([`crate::AccessStore::visibility`]) and then answered
//! from memory, so the server filters a list of any length without a query per delivery.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

use crate::error::AccessError;
use crate::model::MAX_TEXT;

/// A grant's pattern: every zone, or one zone label exactly.
///
/// Only `*` alone is a wildcard: a pattern such as `35-*` is refused rather than taken as a label, since an
/// operator who writes it expects a prefix match that exact matching would silently not give.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ZonePattern {
    /// `*`: every delivery, with a zone or without (the operator's own organisation).
    All,
    /// The deliveries whose zone is exactly this label (`35-SRO-001`), compared as written.
    Zone(String),
}

impl ZonePattern {
    /// The pattern written as `pattern`: `*`, or a zone label without `*`, surrounding spaces or control
    /// characters.
    pub fn parse(pattern: &str) -> Result<ZonePattern, AccessError> {
        if pattern == "*" {
            return Ok(ZonePattern::All);
        }
        let problem = if pattern.is_empty() {
            Some("it is empty")
        } else if pattern.contains('*') {
            Some("`*` is only a wildcard alone, there are no partial wildcards")
        } else if pattern.trim() != pattern {
            Some("it starts or ends with spaces")
        } else if pattern.chars().any(char::is_control) {
            Some("it contains control characters")
        } else if pattern.chars().count() > MAX_TEXT {
            Some("it is longer than 200 characters")
        } else {
            None
        };
        match problem {
            Some(problem) => Err(AccessError::InvalidPattern {
                pattern: pattern.to_owned(),
                problem,
            }),
            None => Ok(ZonePattern::Zone(pattern.to_owned())),
        }
    }

    /// The pattern as written and stored.
    pub fn as_str(&self) -> &str {
        match self {
            ZonePattern::All => "*",
            ZonePattern::Zone(zone) => zone,
        }
    }
}

impl fmt::Display for ZonePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ZonePattern {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The deliveries one caller sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility(Scope);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// The public, or an organisation granted `*`.
    Everything,
    /// An organisation's exact zones and owned deliveries.
    Only {
        zones: HashSet<String>,
        owned: HashSet<i64>,
    },
}

impl Visibility {
    /// Every delivery.
    pub(crate) fn everything() -> Visibility {
        Visibility(Scope::Everything)
    }

    /// What an organisation with these grants and owned deliveries sees.
    pub(crate) fn of(
        grants: impl IntoIterator<Item = ZonePattern>,
        owned: impl IntoIterator<Item = i64>,
    ) -> Visibility {
        let mut zones = HashSet::new();
        for grant in grants {
            match grant {
                ZonePattern::All => return Visibility::everything(),
                ZonePattern::Zone(zone) => {
                    zones.insert(zone);
                }
            }
        }
        Visibility(Scope::Only {
            zones,
            owned: owned.into_iter().collect(),
        })
    }

    /// Whether the caller sees delivery `delivery_id`, of zone `zone` (the delivery's `zone` label in the
    /// store, `None` when it has none — then only ownership or `*` shows it).
    pub fn can_see(&self, delivery_id: i64, zone: Option<&str>) -> bool {
        match &self.0 {
            Scope::Everything => true,
            Scope::Only { zones, owned } => {
                owned.contains(&delivery_id) || zone.is_some_and(|z| zones.contains(z))
            }
        }
    }

    /// Whether the caller sees every delivery, so that a list need not be filtered.
    pub fn sees_everything(&self) -> bool {
        matches!(self.0, Scope::Everything)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(z: &str) -> ZonePattern {
        ZonePattern::parse(z).expect("valid pattern")
    }

    #[test]
    fn exact_zones_and_owned_deliveries_are_seen_and_nothing_else() {
        let v = Visibility::of([zone("35-SRO-001"), zone("35-SRO-002")], [7, 9]);
        assert!(v.can_see(1, Some("35-SRO-001")));
        assert!(v.can_see(2, Some("35-SRO-002")));
        assert!(v.can_see(7, None), "owned, without a zone");
        assert!(v.can_see(9, Some("29-SRO-100")), "owned, in another zone");
        assert!(!v.can_see(3, Some("35-SRO-003")));
        assert!(!v.can_see(3, Some("35-SRO-00")), "no prefix match");
        assert!(
            !v.can_see(3, Some("35-sro-001")),
            "labels compare as written"
        );
        assert!(!v.can_see(3, None));
        assert!(!v.sees_everything());
    }

    #[test]
    fn a_star_grant_or_the_public_sees_everything() {
        let v = Visibility::of([zone("35-SRO-001"), ZonePattern::All], []);
        assert!(v.sees_everything());
        assert!(v.can_see(42, None));
        assert!(v.can_see(43, Some("anything")));
        assert_eq!(Visibility::everything(), v);
    }

    #[test]
    fn nothing_granted_and_nothing_owned_sees_nothing() {
        let v = Visibility::of([], []);
        assert!(!v.can_see(1, None));
        assert!(!v.can_see(1, Some("")));
    }

    #[test]
    fn only_a_lone_star_is_a_wildcard() {
        assert_eq!(zone("*"), ZonePattern::All);
        assert_eq!(zone("35-SRO-001").as_str(), "35-SRO-001");
        for bad in ["", "35-*", "**", " *", "35-SRO-001 ", "a\nb"] {
            assert!(
                matches!(
                    ZonePattern::parse(bad),
                    Err(AccessError::InvalidPattern { .. })
                ),
                "{bad:?} accepted"
            );
        }
    }
}
