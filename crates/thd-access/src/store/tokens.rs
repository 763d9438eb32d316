//! Tokens: created with their secret shown once, listed without it, revoked for good, and authenticated on
//! every request.

use chrono::{DateTime, TimeDelta, Utc};

use super::{AccessStore, now, on_pool, stamp};
use crate::error::AccessError;
use crate::model::{OrgId, Token, check_text};
use crate::principal::Principal;
use crate::role::{Permission, Role};
use crate::secret::{self, TokenId, TokenSecret};

/// A token row as selected by `SELECT id, org_id, role, label, created_at, last_used_at, revoked_at`.
type TokenRow = (
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// How stale `last_used_at` may be before authentication writes it again: a write per minute and token at
/// most, instead of one per request (which on SQLite would queue every request behind the file's one writer).
const LAST_USED_RESOLUTION: TimeDelta = TimeDelta::minutes(1);

impl AccessStore {
    /// Creates a token of `role` for `org`, described by `label`. The returned [`TokenSecret`] is the only
    /// copy of the secret: only its SHA-256 is stored, so it cannot be shown again.
    pub async fn create_token(
        &self,
        org: OrgId,
        role: Role,
        label: &str,
    ) -> Result<(Token, TokenSecret), AccessError> {
        check_text("token label", label)?;
        self.require_organisation(org).await?;
        let new = secret::generate()?;
        let created_at = now();
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO access_token (id, org_id, role, label, secret_sha256, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(new.id.as_str())
            .bind(org.0)
            .bind(role.as_str())
            .bind(label)
            .bind(new.hash.as_slice())
            .bind(stamp(created_at))
            .execute(pool)
            .await
            .map(drop)
        })
        .map_err(self.db())?;
        let token = Token {
            id: new.id,
            org,
            role,
            label: label.to_owned(),
            created_at,
            last_used_at: None,
            revoked_at: None,
        };
        Ok((token, new.secret))
    }

    /// The tokens of `org`, or of every organisation, revoked ones included, oldest first. Never a secret
    /// or its hash.
    pub async fn tokens(&self, org: Option<OrgId>) -> Result<Vec<Token>, AccessError> {
        let rows: Vec<TokenRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, org_id, role, label, created_at, last_used_at, revoked_at FROM access_token \
                 WHERE $1 IS NULL OR org_id = $1 ORDER BY created_at, id",
            )
            .bind(org.map(|o| o.0))
            .fetch_all(pool)
            .await
        })
        .map_err(self.db())?;
        rows.into_iter().map(|row| self.token(row)).collect()
    }

    /// Revokes token `id` for good and returns it. Revoking a revoked token keeps its first revocation time.
    pub async fn revoke_token(&self, id: &TokenId) -> Result<Token, AccessError> {
        let row: Option<TokenRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "UPDATE access_token SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 \
                 RETURNING id, org_id, role, label, created_at, last_used_at, revoked_at",
            )
            .bind(id.as_str())
            .bind(stamp(now()))
            .fetch_optional(pool)
            .await
        })
        .map_err(self.db())?;
        let row = row.ok_or_else(|| AccessError::NoToken(id.clone()))?;
        self.token(row)
    }

    /// [`AccessStore::create_token`] on behalf of a caller: an admin token, for its own organisation.
    pub async fn create_token_as(
        &self,
        caller: &Principal,
        role: Role,
        label: &str,
    ) -> Result<(Token, TokenSecret), AccessError> {
        self.create_token(managed_org(caller)?, role, label).await
    }

    /// [`AccessStore::tokens`] on behalf of a caller: an admin token lists its own organisation's tokens.
    pub async fn tokens_as(&self, caller: &Principal) -> Result<Vec<Token>, AccessError> {
        self.tokens(Some(managed_org(caller)?)).await
    }

    /// [`AccessStore::revoke_token`] on behalf of a caller: an admin token revokes its own organisation's
    /// tokens. Another organisation's token is answered [`AccessError::NoToken`], as if it did not exist, and
    /// left as it is.
    pub async fn revoke_token_as(
        &self,
        caller: &Principal,
        id: &TokenId,
    ) -> Result<Token, AccessError> {
        let org = managed_org(caller)?;
        let row: Option<TokenRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "UPDATE access_token SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 AND org_id = $3 \
                 RETURNING id, org_id, role, label, created_at, last_used_at, revoked_at",
            )
            .bind(id.as_str())
            .bind(stamp(now()))
            .bind(org.0)
            .fetch_optional(pool)
            .await
        })
        .map_err(self.db())?;
        let row = row.ok_or_else(|| AccessError::NoToken(id.clone()))?;
        self.token(row)
    }

    /// The caller presenting `token` (the whole `thd_<id>_<secret>` string), or [`AccessError::InvalidToken`]
    /// for a malformed, unknown, wrong or revoked one — the same error for all four.
    ///
    /// One primary-key read, a SHA-256 of 32 bytes and a constant-time comparison; `last_used_at` is written
    /// only when it is more than a minute old, and a failure to write it (a SQLite file locked by a long
    /// import) is logged and does not refuse a valid token. One caller authenticating in a loop makes about
    /// 13 000 calls a second on SQLite and 3 000 on PostgreSQL at 127.0.0.1 (77 µs and 330 µs each, release
    /// build, 1 000 tokens stored, on a shared 2-core machine: `cargo bench -p thd-access`), nearly all of it
    /// the database round trip; concurrent requests are served by the pool's four connections.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AccessError> {
        let presented = secret::parse(token).ok_or(AccessError::InvalidToken)?;
        type AuthRow = (i64, String, Vec<u8>, Option<String>, Option<String>);
        let row: Option<AuthRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT org_id, role, secret_sha256, last_used_at, revoked_at FROM access_token WHERE id = $1",
            )
            .bind(presented.id.as_str())
            .fetch_optional(pool)
            .await
        })
        .map_err(self.db())?;
        let Some((org, role, stored, last_used_at, revoked_at)) = row else {
            return Err(AccessError::InvalidToken);
        };
        if !secret::hash_matches(&stored, &presented.hash) || revoked_at.is_some() {
            return Err(AccessError::InvalidToken);
        }
        let role = self.role(&role)?;
        let now = now();
        let stale = match last_used_at {
            Some(last) => now - self.time(&last)? >= LAST_USED_RESOLUTION,
            None => true,
        };
        if stale {
            self.touch(&presented.id, now).await;
        }
        Ok(Principal::Token {
            org: OrgId(org),
            role,
            token_id: presented.id,
        })
    }

    /// Records that token `id` was used at `when`. Best effort: the time is informative (`token list`), and
    /// a valid token must not be refused because it could not be written.
    async fn touch(&self, id: &TokenId, when: DateTime<Utc>) {
        let written = on_pool!(self, |pool| {
            sqlx::query("UPDATE access_token SET last_used_at = $2 WHERE id = $1")
                .bind(id.as_str())
                .bind(stamp(when))
                .execute(pool)
                .await
                .map(drop)
        });
        if let Err(e) = written {
            tracing::warn!(token = %id, location = %self.location, error = %e, "could not record the token's last use");
        }
    }

    fn role(&self, code: &str) -> Result<Role, AccessError> {
        Role::parse(code).ok_or_else(|| self.corrupt(format!("token role {code:?}")))
    }

    fn token(&self, row: TokenRow) -> Result<Token, AccessError> {
        let (id, org, role, label, created_at, last_used_at, revoked_at) = row;
        Ok(Token {
            id: TokenId::parse(&id).ok_or_else(|| self.corrupt(format!("token id {id:?}")))?,
            org: OrgId(org),
            role: self.role(&role)?,
            label,
            created_at: self.time(&created_at)?,
            last_used_at: last_used_at.map(|t| self.time(&t)).transpose()?,
            revoked_at: revoked_at.map(|t| self.time(&t)).transpose()?,
        })
    }
}

/// The organisation whose tokens `caller` may manage: its own, if its role allows it.
fn managed_org(caller: &Principal) -> Result<OrgId, AccessError> {
    caller.require(Permission::ManageTokens)?;
    caller.org().ok_or(AccessError::Forbidden {
        permission: Permission::ManageTokens,
    })
}
