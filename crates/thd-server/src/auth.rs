//! Who is calling, and what they may see: every API route but health and the OpenAPI document takes a
//! [`Caller`], built from the `Authorization: Bearer <token>` header (tokens from `thd token create`), or the
//! anonymous public when the deployment publishes its read-only dashboard (`thd serve --public`).
//!
//! A delivery the caller may not see is answered exactly as one that does not exist (`404 not_found`), so a
//! token of one organisation learns nothing of another's deliveries.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use thd_access::{AccessError, Permission, Principal, Visibility};

use crate::app::App;
use crate::error::ApiError;

/// The authenticated caller of a request and the deliveries it sees.
#[derive(Debug)]
pub struct Caller {
    pub principal: Principal,
    pub visibility: Visibility,
}

impl Caller {
    /// Refuses the request unless the caller's role allows `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        self.principal.require(permission).map_err(ApiError::from)
    }

    /// Refuses the request unless the caller may read delivery `id` (see [`Caller::sees`]).
    pub async fn reads(&self, app: &App, id: i64) -> Result<(), ApiError> {
        self.require(Permission::Read)?;
        self.sees(app, id).await
    }

    /// Refuses the request, as if delivery `id` did not exist, unless the caller may see it.
    pub async fn sees(&self, app: &App, id: i64) -> Result<(), ApiError> {
        let zone = app.zone_of(id).await?;
        if self.visibility.can_see(id, zone.as_deref()) {
            Ok(())
        } else {
            Err(ApiError::from(thd_store::StoreError::NoDelivery(id)))
        }
    }
}

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let access = &app.inner().access;
        let principal = match parts.headers.get(header::AUTHORIZATION) {
            Some(value) => {
                let token = value
                    .to_str()
                    .ok()
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .ok_or_else(|| {
                        ApiError::new(
                            StatusCode::UNAUTHORIZED,
                            "invalid_token",
                            "the Authorization header must be `Bearer <token>`",
                        )
                    })?;
                access.authenticate(token.trim()).await?
            }
            None if app.inner().settings.public_read => Principal::Public,
            None => {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "send `Authorization: Bearer <token>`; an administrator creates tokens with `thd token create`",
                ));
            }
        };
        let visibility = access.visibility(&principal).await?;
        Ok(Caller {
            principal,
            visibility,
        })
    }
}

impl From<AccessError> for ApiError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::InvalidToken => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "invalid token: it is unknown, revoked or mistyped",
            ),
            AccessError::Forbidden { permission } => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("this token's role may not {permission}"),
            ),
            other => ApiError::internal(other),
        }
    }
}
