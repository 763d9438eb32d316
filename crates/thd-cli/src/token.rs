//! `thd token create|list|revoke|grant`: the API's tokens and which zones each organisation sees.

use anyhow::{Context, Result};
use clap::Subcommand;
use thd_access::{AccessStore, Organisation, Role, TokenId, ZonePattern};

use crate::UnusableInput;
use crate::store::{Db, runtime};

/// Manage the API's tokens: one per person or system, per organisation, with a role.
///
/// Roles: engineer (upload and check deliveries, read), manager (read), delegatee (read and sync the acceptance
/// of its zones), admin (all of that, and its organisation's tokens). An organisation sees the deliveries it
/// uploaded and those of the zones it is granted (`--grant ZONE`, or `--grant '*'` for all: the operator).
/// A token is shown once, at creation; only its hash is kept.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    db: Db,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a token (and its organisation if new) and print it.
    Create {
        /// The organisation (created if missing).
        #[arg(long)]
        org: String,
        /// engineer, manager, delegatee or admin.
        #[arg(long)]
        role: Role,
        /// Who or what the token is for (`SIG delegataire`, `Jeanne Dupont`); default: the role and organisation.
        #[arg(long)]
        label: Option<String>,
        /// Zones the organisation sees (a delivery's --zone, or '*' for every zone); repeatable.
        #[arg(long, value_name = "ZONE")]
        grant: Vec<String>,
    },
    /// List tokens (never their secrets).
    List {
        /// Only this organisation's.
        #[arg(long)]
        org: Option<String>,
    },
    /// Revoke a token by its id (the `thd_<id>_…` part, as `list` shows it).
    Revoke { id: String },
    /// Let an organisation see a zone's deliveries ('*' for all).
    Grant { org: String, zone: String },
}

pub fn run(args: &Args) -> Result<()> {
    let runtime = runtime()?;
    let location = args.db.location()?;
    runtime.block_on(async {
        // The delivery store first: on a new file it lays out the GeoPackage the access tables then join.
        let store = thd_store::Store::open(&location)
            .await
            .with_context(|| format!("ouverture du magasin {location}"))?;
        let access = AccessStore::open(&location).await?;
        let result = command(&access, &args.command).await;
        access.close().await;
        store.close().await;
        result
    })
}

async fn organisation(access: &AccessStore, name: &str, create: bool) -> Result<Organisation> {
    if let Some(org) = access.organisation_named(name).await? {
        return Ok(org);
    }
    if create {
        return Ok(access.create_organisation(name).await?);
    }
    Err(UnusableInput(format!(
        "pas d'organisation {name:?} ; `thd token list` les montre"
    ))
    .into())
}

fn pattern(zone: &str) -> Result<ZonePattern> {
    ZonePattern::parse(zone).map_err(|e| UnusableInput(e.to_string()).into())
}

async fn command(access: &AccessStore, command: &Command) -> Result<()> {
    match command {
        Command::Create {
            org,
            role,
            label,
            grant,
        } => {
            let patterns = grant
                .iter()
                .map(|g| pattern(g))
                .collect::<Result<Vec<_>>>()?;
            let org = organisation(access, org, true).await?;
            for p in &patterns {
                access.grant(org.id, p).await?;
            }
            let label = label
                .clone()
                .unwrap_or_else(|| format!("{} {}", role.as_str(), org.name));
            let (token, secret) = access.create_token(org.id, *role, &label).await?;
            eprintln!(
                "jeton {} créé pour {} ({}) ; conservez-le, il ne sera plus affiché :",
                token.id.as_str(),
                org.name,
                role.as_str()
            );
            println!("{}", secret.expose());
        }
        Command::List { org } => {
            let orgs = access.organisations().await?;
            let only = match org {
                Some(name) => Some(organisation(access, name, false).await?.id),
                None => None,
            };
            println!(
                "{:<18} {:<20} {:<10} {:<24} {:<26} état",
                "id", "organisation", "rôle", "libellé", "créé"
            );
            for token in access.tokens(only).await? {
                let org_name = orgs
                    .iter()
                    .find(|o| o.id == token.org)
                    .map_or("?", |o| o.name.as_str());
                let state = match token.revoked_at {
                    Some(at) => format!("révoqué {}", at.format("%Y-%m-%d")),
                    None => "actif".to_owned(),
                };
                println!(
                    "{:<18} {:<20} {:<10} {:<24} {:<26} {state}",
                    token.id.as_str(),
                    org_name,
                    token.role.as_str(),
                    token.label,
                    token.created_at.format("%Y-%m-%d %H:%M:%S")
                );
            }
        }
        Command::Revoke { id } => {
            let id = TokenId::parse(id).ok_or_else(|| {
                UnusableInput(format!(
                    "{id:?} n'est pas un id de jeton (16 chiffres hexadécimaux)"
                ))
            })?;
            let token = access.revoke_token(&id).await?;
            println!("jeton {} révoqué", token.id.as_str());
        }
        Command::Grant { org, zone } => {
            let p = pattern(zone)?;
            let org = organisation(access, org, false).await?;
            let new = access.grant(org.id, &p).await?;
            println!(
                "{} {} la zone {}",
                org.name,
                if new {
                    "voit désormais"
                } else {
                    "voyait déjà"
                },
                p.as_str()
            );
        }
    }
    Ok(())
}
