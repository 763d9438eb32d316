//! Who may do what with the deliveries of the store: organisations, API tokens with roles, and which
//! deliveries each organisation sees. The CLI (`thd token create|list|revoke`) and the HTTP server call this
//! library; it knows nothing of HTTP.
//!
//! # Model
//!
//! - An [`Organisation`] (the operator, a design office, the délégataire) holds [`Token`]s. A token has one
//!   [`Role`], whose [`Permission`]s are one function, [`Role::permits`]: an engineer uploads, checks and
//!   reads; a manager reads; a delegatee reads and syncs; an admin does all of that and manages its own
//!   organisation's tokens.
//! - [`AccessStore::authenticate`] turns a presented token into a [`Principal`]: its organisation, role and
//!   token id. A deployment whose read-only dashboard is public also serves [`Principal::Public`], which sees
//!   everything and may only read.
//! - An organisation sees a delivery when it owns it ([`AccessStore::set_owner`], recorded when it uploads
//!   it) or when one of its grants matches the delivery's zone ([`AccessStore::grant`]: `*` for every zone —
//!   the operator's own organisation — or one zone label exactly), and never otherwise.
//!   [`AccessStore::visibility`] reads that once per request into a [`Visibility`] that answers for any
//!   number of deliveries from memory. The role says what a caller may do; the visibility, to which
//!   deliveries: a delegatee "syncs its own network only" because it is granted only its zones.
//!
//! The tables (`access_*`) live in the same database as the delivery store, on either backend — a SQLite file
//! or a PostgreSQL schema — with their own migrations and schema version (see [`AccessStore::open`]).
//!
//! # Threat model
//!
//! - **A stolen database** (a copied store file, a backup) must not yield usable tokens: only the SHA-256 of
//!   each secret is stored, and the secret has 256 bits from the operating system's RNG, so the hash cannot be
//!   reversed. The secret is shown once, at creation.
//! - **Guessing or probing tokens** over the API: a wrong, unknown, malformed or revoked token gets the same
//!   [`AccessError::InvalidToken`]; hashes are compared in constant time; the token id that locates the row is
//!   public and gives nothing without the secret.
//! - **One organisation reading another's data**: every answer about deliveries goes through the caller's
//!   [`Visibility`]; token administration through the API is confined to the caller's organisation, and
//!   another organisation's token is answered as nonexistent. The server must not tell "not visible" from
//!   "does not exist" either.
//! - Out of scope: someone with write access to the database (they can grant themselves anything), and the
//!   transport — tokens travel in a header and need TLS in front of the server.

mod error;
mod model;
mod principal;
mod role;
mod secret;
mod store;
mod visibility;

pub use error::AccessError;
pub use model::{OrgId, Organisation, Token};
pub use principal::Principal;
pub use role::{Permission, Role, UnknownRole};
pub use secret::{TOKEN_PREFIX, TokenId, TokenSecret};
pub use store::{AccessStore, SCHEMA_VERSION};
pub use visibility::{Visibility, ZonePattern};
