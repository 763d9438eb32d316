//! Who is calling: an authenticated token of an organisation, or the anonymous public of a deployment that
//! publishes its dashboard.

use crate::error::AccessError;
use crate::model::OrgId;
use crate::role::{Permission, Role};
use crate::secret::TokenId;

/// The caller of a request, as the server knows it once the request is authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A valid token ([`crate::AccessStore::authenticate`]): its organisation's visibility, its role's
    /// permissions.
    Token {
        org: OrgId,
        role: Role,
        token_id: TokenId,
    },
    /// Nobody in particular, on a deployment whose read-only dashboard is public: sees every delivery and may
    /// only read. A server whose dashboard is not public never builds this value.
    Public,
}

impl Principal {
    /// The caller's organisation; `None` for the public.
    pub fn org(&self) -> Option<OrgId> {
        match self {
            Principal::Token { org, .. } => Some(*org),
            Principal::Public => None,
        }
    }

    /// Whether the caller may do `permission` (on what it sees).
    pub fn may(&self, permission: Permission) -> bool {
        match self {
            Principal::Token { role, .. } => role.permits(permission),
            Principal::Public => permission == Permission::Read,
        }
    }

    /// [`Principal::may`] as a typed refusal, for `?` in handlers.
    pub fn require(&self, permission: Permission) -> Result<(), AccessError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(AccessError::Forbidden { permission })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_only_reads_and_a_token_has_its_roles_permissions() {
        for permission in Permission::ALL {
            assert_eq!(
                Principal::Public.may(permission),
                permission == Permission::Read
            );
        }
        let manager = Principal::Token {
            org: OrgId(1),
            role: Role::Manager,
            token_id: TokenId::parse("0011223344556677").expect("id"),
        };
        assert!(manager.require(Permission::Read).is_ok());
        assert!(matches!(
            manager.require(Permission::Upload),
            Err(AccessError::Forbidden {
                permission: Permission::Upload
            })
        ));
        assert_eq!(manager.org(), Some(OrgId(1)));
        assert_eq!(Principal::Public.org(), None);
    }
}
