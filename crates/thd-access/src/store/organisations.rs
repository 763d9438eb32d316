//! Organisations, their zone grants, the deliveries they own, and what they therefore see.

use super::{AccessStore, now, on_pool, stamp};
use crate::error::AccessError;
use crate::model::{OrgId, Organisation, check_text};
use crate::principal::Principal;
use crate::visibility::{Visibility, ZonePattern};

impl AccessStore {
    /// Creates the organisation `name`; [`AccessError::DuplicateOrganisation`] when one has that name already.
    pub async fn create_organisation(&self, name: &str) -> Result<Organisation, AccessError> {
        check_text("organisation name", name)?;
        let created_at = now();
        let id: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "INSERT INTO access_organisation (name, created_at) VALUES ($1, $2) \
                 ON CONFLICT (name) DO NOTHING RETURNING id",
            )
            .bind(name)
            .bind(stamp(created_at))
            .fetch_optional(pool)
            .await
        })
        .map_err(self.db())?;
        match id {
            Some(id) => Ok(Organisation {
                id: OrgId(id),
                name: name.to_owned(),
                created_at,
            }),
            None => Err(AccessError::DuplicateOrganisation(name.to_owned())),
        }
    }

    /// Every organisation, in order of creation.
    pub async fn organisations(&self) -> Result<Vec<Organisation>, AccessError> {
        let rows: Vec<(i64, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, name, created_at FROM access_organisation ORDER BY id")
                .fetch_all(pool)
                .await
        })
        .map_err(self.db())?;
        rows.into_iter()
            .map(|(id, name, created_at)| {
                Ok(Organisation {
                    id: OrgId(id),
                    name,
                    created_at: self.time(&created_at)?,
                })
            })
            .collect()
    }

    /// The organisation named exactly `name`, if any (the CLI creates a missing one explicitly).
    pub async fn organisation_named(
        &self,
        name: &str,
    ) -> Result<Option<Organisation>, AccessError> {
        let row: Option<(i64, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, created_at FROM access_organisation WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await
        })
        .map_err(self.db())?;
        row.map(|(id, created_at)| {
            Ok(Organisation {
                id: OrgId(id),
                name: name.to_owned(),
                created_at: self.time(&created_at)?,
            })
        })
        .transpose()
    }

    /// Fails with [`AccessError::NoOrganisation`] unless `org` exists. Organisations are never deleted, so
    /// what this finds stays true for the statement that follows.
    pub(super) async fn require_organisation(&self, org: OrgId) -> Result<(), AccessError> {
        let found: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM access_organisation WHERE id = $1")
                .bind(org.0)
                .fetch_optional(pool)
                .await
        })
        .map_err(self.db())?;
        found.map(drop).ok_or(AccessError::NoOrganisation(org))
    }

    /// Lets `org` see the deliveries `pattern` matches. Returns whether the grant is new (granting twice
    /// changes nothing).
    pub async fn grant(&self, org: OrgId, pattern: &ZonePattern) -> Result<bool, AccessError> {
        self.require_organisation(org).await?;
        let added = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO access_grant (org_id, pattern, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (org_id, pattern) DO NOTHING",
            )
            .bind(org.0)
            .bind(pattern.as_str())
            .bind(stamp(now()))
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(self.db())?;
        Ok(added == 1)
    }

    /// Withdraws a grant. Returns whether `org` had it.
    pub async fn revoke_grant(
        &self,
        org: OrgId,
        pattern: &ZonePattern,
    ) -> Result<bool, AccessError> {
        self.require_organisation(org).await?;
        let removed = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM access_grant WHERE org_id = $1 AND pattern = $2")
                .bind(org.0)
                .bind(pattern.as_str())
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(self.db())?;
        Ok(removed == 1)
    }

    /// The grants of `org`, `*` first, then zones in text order.
    pub async fn grants(&self, org: OrgId) -> Result<Vec<ZonePattern>, AccessError> {
        self.require_organisation(org).await?;
        self.grants_of(org).await
    }

    /// The grants of `org`, sorted, without checking that it exists (none then).
    async fn grants_of(&self, org: OrgId) -> Result<Vec<ZonePattern>, AccessError> {
        let patterns: Vec<String> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT pattern FROM access_grant WHERE org_id = $1")
                .bind(org.0)
                .fetch_all(pool)
                .await
        })
        .map_err(self.db())?;
        let mut grants = patterns
            .iter()
            .map(|p| {
                ZonePattern::parse(p).map_err(|e| self.corrupt(format!("grant of {org}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        grants.sort();
        Ok(grants)
    }

    /// Records that `org` owns delivery `delivery_id` (the server calls it when the organisation uploads it).
    /// Setting the same owner again changes nothing; a delivery owned by another organisation keeps its owner
    /// and gives [`AccessError::AlreadyOwned`] — which happens when an organisation uploads files another
    /// already uploaded, since the store recognises them as the same delivery.
    pub async fn set_owner(&self, delivery_id: i64, org: OrgId) -> Result<(), AccessError> {
        self.require_organisation(org).await?;
        let inserted = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO access_delivery_owner (delivery_id, org_id, owned_since) VALUES ($1, $2, $3) \
                 ON CONFLICT (delivery_id) DO NOTHING",
            )
            .bind(delivery_id)
            .bind(org.0)
            .bind(stamp(now()))
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(self.db())?;
        if inserted == 1 || self.owner_of(delivery_id).await? == Some(org) {
            Ok(())
        } else {
            Err(AccessError::AlreadyOwned { delivery_id })
        }
    }

    /// The organisation that owns delivery `delivery_id`, if one does.
    pub async fn owner_of(&self, delivery_id: i64) -> Result<Option<OrgId>, AccessError> {
        let owner: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT org_id FROM access_delivery_owner WHERE delivery_id = $1")
                .bind(delivery_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(self.db())?;
        Ok(owner.map(OrgId))
    }

    /// What `principal` sees, read once (at most two queries) so the server can filter any number of
    /// deliveries with [`Visibility::can_see`] without going back to the database.
    pub async fn visibility(&self, principal: &Principal) -> Result<Visibility, AccessError> {
        let org = match principal {
            Principal::Public => return Ok(Visibility::everything()),
            Principal::Token { org, .. } => *org,
        };
        let grants = self.grants_of(org).await?;
        if grants.contains(&ZonePattern::All) {
            return Ok(Visibility::everything());
        }
        let owned: Vec<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT delivery_id FROM access_delivery_owner WHERE org_id = $1")
                .bind(org.0)
                .fetch_all(pool)
                .await
        })
        .map_err(self.db())?;
        Ok(Visibility::of(grants, owned))
    }
}
