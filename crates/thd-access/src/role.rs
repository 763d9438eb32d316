//! Roles and what each may do, as one function ([`Role::permits`]) so the whole policy reads in one place.
//!
//! A role says *what* a token may do; which deliveries it may do it to is the organisation's visibility
//! ([`crate::Visibility`]), decided separately, so "a delegatee syncs its own network only" is the sync
//! permission combined with the delegatee organisation's grants.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// What a caller may do with the deliveries it sees, or with its organisation's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See deliveries, their checks and the dashboard.
    Read,
    /// Upload a delivery and run the checks on it.
    Upload,
    /// Pull a network out of the engine into the delegatee's own tools.
    Sync,
    /// Create, list and revoke its own organisation's tokens.
    ManageTokens,
}

impl Permission {
    /// Every permission, for tables and tests.
    pub const ALL: [Permission; 4] = [
        Permission::Read,
        Permission::Upload,
        Permission::Sync,
        Permission::ManageTokens,
    ];

    /// The snake_case code, as in messages and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Upload => "upload",
            Permission::Sync => "sync",
            Permission::ManageTokens => "manage_tokens",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The role a token is created with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Design-office or works engineers: upload deliveries and check them, and read what they upload.
    Engineer,
    /// The operator's project managers: read only.
    Manager,
    /// The délégataire operating the network: reads and syncs the network it was granted.
    Delegatee,
    /// Administers its organisation: everything, including the organisation's tokens.
    Admin,
}

impl Role {
    /// Every role, in the order the CLI lists them.
    pub const ALL: [Role; 4] = [Role::Engineer, Role::Manager, Role::Delegatee, Role::Admin];

    /// The snake_case code stored in the database and given on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Engineer => "engineer",
            Role::Manager => "manager",
            Role::Delegatee => "delegatee",
            Role::Admin => "admin",
        }
    }

    /// The role of a code, `None` for anything else (codes are case-sensitive, as stored).
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == code)
    }

    /// Whether a token of this role may do `permission` (on the deliveries its organisation sees).
    pub fn permits(self, permission: Permission) -> bool {
        use Permission::{Read, Sync, Upload};
        match self {
            Role::Admin => true,
            Role::Engineer => matches!(permission, Read | Upload),
            Role::Manager => matches!(permission, Read),
            Role::Delegatee => matches!(permission, Read | Sync),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role code that is none of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected one of engineer, manager, delegatee, admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Role::parse(code).ok_or_else(|| UnknownRole(code.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The policy written out as a table, independently of the `match` in `permits`.
    #[test]
    fn each_role_has_exactly_the_permissions_of_the_policy() {
        use Permission::*;
        let expected: [(Role, &[Permission]); 4] = [
            (Role::Engineer, &[Read, Upload]),
            (Role::Manager, &[Read]),
            (Role::Delegatee, &[Read, Sync]),
            (Role::Admin, &[Read, Upload, Sync, ManageTokens]),
        ];
        for (role, allowed) in expected {
            for permission in Permission::ALL {
                assert_eq!(
                    role.permits(permission),
                    allowed.contains(&permission),
                    "{role} / {permission}"
                );
            }
        }
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!(
            "Admin".parse::<Role>(),
            Err(UnknownRole("Admin".to_owned()))
        );
        assert_eq!(Role::parse(""), None);
        assert_eq!(
            serde_json::to_string(&Role::Delegatee).ok().as_deref(),
            Some("\"delegatee\"")
        );
    }
}
