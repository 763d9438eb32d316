//! The access tables against hand-built organisations, tokens, grants and deliveries whose answers are known:
//! tokens authenticate until revoked, anything else is refused with the one error and changes nothing, the
//! database never holds a secret, organisations see exactly what they own or were granted, and an admin acts
//! on its own organisation only.
//!
//! # Both backends
//!
//! Every test written as `async fn name(place: Place)` and listed in `on_both_backends!` runs twice, as
//! `name::sqlite` (a file in a temporary folder) and `name::postgres` (a schema of its own in the database
//! `THD_TEST_PG`, default `postgres://postgres@127.0.0.1:5432/thd_test`). As in the store's tests, the
//! PostgreSQL tests **fail** when that database is unreachable, saying why, unless `THD_SKIP_PG=1`, when they
//! print the reason and skip.

mod common;

use std::collections::BTreeMap;

use common::Place;
use sha2::{Digest, Sha256};
use thd_access::{
    AccessError, AccessStore, OrgId, Permission, Principal, Role, SCHEMA_VERSION, TokenId,
    ZonePattern,
};

/// Runs each listed `async fn name(place: Place)` as `name::sqlite` and `name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::Place::sqlite()).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(place) = super::Place::postgres(stringify!($name)).await {
                    super::$name(place).await;
                }
            }
        }
    )*};
}

on_both_backends!(
    a_token_authenticates_until_it_is_revoked,
    a_wrong_or_tampered_token_is_refused_and_changes_nothing,
    the_database_holds_the_hash_of_the_secret_never_the_secret,
    organisations_see_what_they_own_or_were_granted_and_nothing_else,
    a_delivery_keeps_its_first_owner,
    grants_are_added_once_and_can_be_withdrawn,
    an_admin_manages_its_own_organisations_tokens_only,
    organisation_names_are_unique_and_must_be_readable,
    access_tables_of_a_newer_schema_are_refused,
    the_access_tables_live_beside_the_delivery_store,
);

fn pattern(p: &str) -> ZonePattern {
    ZonePattern::parse(p).expect("valid pattern")
}

fn is_invalid_token<T: std::fmt::Debug>(result: Result<T, AccessError>) -> bool {
    match result {
        Err(e @ AccessError::InvalidToken) => e.to_string() == "invalid token",
        other => panic!("expected InvalidToken, got {other:?}"),
    }
}

async fn a_token_authenticates_until_it_is_revoked(place: Place) {
    let store = AccessStore::open(&place.location).await.expect("open");
    let org = store.create_organisation("Axione").await.expect("org");
    let (token, secret) = store
        .create_token(org.id, Role::Engineer, "QGIS plug-in")
        .await
        .expect("token");
    assert!(secret.expose().starts_with(&format!("thd_{}_", token.id)));
    assert_eq!(
        (token.org, token.role, token.label.as_str()),
        (org.id, Role::Engineer, "QGIS plug-in")
    );
    assert_eq!((token.last_used_at, token.revoked_at), (None, None));
    assert_eq!(
        store.tokens(Some(org.id)).await.expect("list"),
        vec![token.clone()]
    );

    let principal = store.authenticate(secret.expose()).await.expect("valid");
    assert_eq!(
        principal,
        Principal::Token {
            org: org.id,
            role: Role::Engineer,
            token_id: token.id.clone(),
        }
    );
    assert!(principal.may(Permission::Upload) && !principal.may(Permission::ManageTokens));
    let used = store.tokens(None).await.expect("list").remove(0);
    let last_used = used.last_used_at.expect("last use recorded");
    assert!(last_used >= token.created_at);
    // A second use within the minute does not write again.
    store.authenticate(secret.expose()).await.expect("valid");
    assert_eq!(
        store.tokens(None).await.expect("list")[0].last_used_at,
        Some(last_used)
    );

    // The store reopened knows the same token.
    store.close().await;
    let store = AccessStore::open(&place.location).await.expect("reopen");
    store
        .authenticate(secret.expose())
        .await
        .expect("still valid");

    let revoked = store.revoke_token(&token.id).await.expect("revoke");
    let revoked_at = revoked.revoked_at.expect("revocation time");
    assert!(revoked.is_revoked());
    assert!(is_invalid_token(store.authenticate(secret.expose()).await));
    // Revoking again keeps the first time; the list shows the revoked token.
    let again = store.revoke_token(&token.id).await.expect("revoke again");
    assert_eq!(again.revoked_at, Some(revoked_at));
    assert_eq!(store.tokens(None).await.expect("list"), vec![again]);

    let unknown = TokenId::parse("00000000000000ff").expect("id");
    assert!(matches!(
        store.revoke_token(&unknown).await,
        Err(AccessError::NoToken(id)) if id == unknown
    ));
    store.close().await;
    place.finish().await;
}

async fn a_wrong_or_tampered_token_is_refused_and_changes_nothing(place: Place) {
    let store = AccessStore::open(&place.location).await.expect("open");
    let org = store.create_organisation("Axione").await.expect("org");
    let (token, secret) = store
        .create_token(org.id, Role::Manager, "dashboard")
        .await
        .expect("token");
    let (other, other_secret) = store
        .create_token(org.id, Role::Admin, "admin")
        .await
        .expect("token");
    let text = secret.expose().to_owned();
    let secret_part = &text[text.len() - 64..];

    let mut wrong = vec![
        String::new(),
        "Bearer".to_owned(),
        // The right id with another token's secret, and the other way round.
        format!(
            "thd_{}_{}",
            token.id,
            &other_secret.expose()[other_secret.expose().len() - 64..]
        ),
        format!("thd_{}_{secret_part}", other.id),
        // Unknown id, right secret.
        format!("thd_0123456789abcdef_{secret_part}"),
        text.to_uppercase().replacen("THD_", "thd_", 1),
        format!("{text}0"),
        text[..text.len() - 1].to_owned(),
        format!(" {text}"),
        text.replacen("thd_", "thd-", 1),
    ];
    // Every single character of the secret changed to another hex digit.
    for i in text.len() - 64..text.len() {
        let mut bytes = text.clone().into_bytes();
        bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
        wrong.push(String::from_utf8(bytes).expect("ascii"));
    }
    let before = place.snapshot().await;
    for attempt in &wrong {
        assert!(
            is_invalid_token(store.authenticate(attempt).await),
            "{attempt:?}"
        );
    }
    assert_eq!(
        place.snapshot().await,
        before,
        "a refused token writes nothing"
    );
    // The real one still works afterwards.
    store.authenticate(&text).await.expect("valid");
    store.close().await;
    place.finish().await;
}

async fn the_database_holds_the_hash_of_the_secret_never_the_secret(place: Place) {
    let store = AccessStore::open(&place.location).await.expect("open");
    let org = store.create_organisation("Orange").await.expect("org");
    let (token, secret) = store
        .create_token(org.id, Role::Delegatee, "sync")
        .await
        .expect("token");
    let text = secret.expose();
    let secret_hex = &text[text.len() - 64..];
    let secret_bytes = hex::decode(secret_hex).expect("hex");

    let stored = place.stored_hash(token.id.as_str()).await;
    assert_eq!(stored, Sha256::digest(&secret_bytes).to_vec());
    assert_ne!(stored, secret_bytes);
    let dump = format!("{:?}", place.snapshot().await);
    assert!(!dump.contains(secret_hex), "the secret's text is stored");
    assert!(
        !dump.contains(&format!("{:?}", secret_bytes)),
        "the secret's bytes are stored"
    );
    assert!(
        dump.contains(token.id.as_str()),
        "the snapshot reads the token rows"
    );
    // Nor does any listing show them.
    let listed = format!("{:?}", store.tokens(None).await.expect("list"));
    assert!(!listed.contains(secret_hex));
    assert!(!format!("{secret:?}").contains(secret_hex));
    store.close().await;
    place.finish().await;
}

/// Deliveries of the fixture: (id, zone).
const DELIVERIES: [(i64, Option<&str>); 5] = [
    (1, Some("35-SRO-001")),
    (2, None),
    (3, Some("35-SRO-001")),
    (4, Some("22-SRO-009")),
    (5, Some("29-SRO-002")),
];

async fn organisations_see_what_they_own_or_were_granted_and_nothing_else(place: Place) {
    let store = AccessStore::open(&place.location).await.expect("open");
    let operator = store.create_organisation("Mégalis").await.expect("org");
    let design = store
        .create_organisation("Bureau d'études")
        .await
        .expect("org");
    let delegatee = store.create_organisation("Délégataire").await.expect("org");
    let newcomer = store.create_organisation("Nouveau").await.expect("org");
    store
        .grant(operator.id, &ZonePattern::All)
        .await
        .expect("grant");
    store
        .grant(design.id, &pattern("35-SRO-001"))
        .await
        .expect("grant");
    store
        .grant(delegatee.id, &pattern("29-SRO-002"))
        .await
        .expect("grant");
    store
        .grant(delegatee.id, &pattern("22-SRO"))
        .await
        .expect("grant");
    store.set_owner(2, delegatee.id).await.expect("owner");
    store.set_owner(4, design.id).await.expect("owner");

    // Who sees which of deliveries 1..=5, worked out by hand from the grants and owners above.
    let expected: [(&str, OrgId, [bool; 5]); 4] = [
        ("operator, granted *", operator.id, [true; 5]),
        // 1 and 3 by zone, 4 as owner; 2 has no zone, 5 another zone.
        ("design office", design.id, [true, false, true, true, false]),
        // 2 as owner, 5 by zone; "22-SRO" is not a prefix of 22-SRO-009.
        ("delegatee", delegatee.id, [false, true, false, false, true]),
        ("organisation with nothing", newcomer.id, [false; 5]),
    ];
    for (who, org, sees) in expected {
        let (_, secret) = store
            .create_token(org, Role::Manager, "reader")
            .await
            .expect("token");
        let principal = store.authenticate(secret.expose()).await.expect("valid");
        let visibility = store.visibility(&principal).await.expect("visibility");
        let seen: Vec<bool> = DELIVERIES
            .iter()
            .map(|(id, zone)| visibility.can_see(*id, *zone))
            .collect();
        assert_eq!(seen, sees, "{who}");
        assert_eq!(visibility.sees_everything(), org == operator.id, "{who}");
    }
    let public = store.visibility(&Principal::Public).await.expect("public");
    assert!(
        DELIVERIES
            .iter()
            .all(|(id, zone)| public.can_see(*id, *zone))
    );
    assert!(!Principal::Public.may(Permission::Upload));
    store.close().await;
    place.finish().await;
}

async fn a_delivery_keeps_its_first_owner(place: Place) {
    let store = AccessStore::open(&place.location).await.expect("open");
    let a = store.create_organisation("A").await.expect("org");
    let b = store.create_organisation("B").await.expect("org");
    assert_eq!(store.owner_of(10).await.expect("owner"), None);
    store.set_owner(10, a.id).await.expect("owner");
    store
        .set_owner(10, a.id)
        .await
        .expect("the same owner again");
    let before = place.snapshot().await;
    assert!(matches!(
        store.set_owner(10, b.id).await,
        Err(AccessError::AlreadyOwned { delivery_id: 10 })
    ));
    assert!(matches!(
        store.set_owner(11, OrgId(999)).await,
        Err(AccessError::NoOrganisation(OrgId(999)))
    ));
    assert_eq!(place.snapshot().await, before);
    assert_eq!(store.owner_of(10).await.expect("owner"), Some(a.id));
    store.close().await;
    place.finish().await;
}

async fn grants_are_added_once_and_can_be_withdrawn(place: Place) {
    let store = AccessStore::open(&place.location).await.expect("open");
    let org = store.create_organisation("Délégataire").await.expect("org");
    let zone = pattern("35-SRO-001");
    assert!(store.grant(org.id, &zone).await.expect("grant"));
    assert!(!store.grant(org.id, &zone).await.expect("grant again"));
    assert!(store.grant(org.id, &ZonePattern::All).await.expect("grant"));
    assert_eq!(
        store.grants(org.id).await.expect("grants"),
        vec![ZonePattern::All, zone.clone()]
    );

    let (_, secret) = store
        .create_token(org.id, Role::Delegatee, "sync")
        .await
        .expect("token");
    let principal = store.authenticate(secret.expose()).await.expect("valid");
    assert!(
        store
            .visibility(&principal)
            .await
            .expect("v")
            .can_see(7, Some("29-X"))
    );
    assert!(
        store
            .revoke_grant(org.id, &ZonePattern::All)
            .await
            .expect("revoke")
    );
    assert!(
        !store
            .revoke_grant(org.id, &ZonePattern::All)
            .await
            .expect("revoke again")
    );
    let visibility = store.visibility(&principal).await.expect("v");
    assert!(
        !visibility.can_see(7, Some("29-X")),
        "withdrawn at the next request"
    );
    assert!(visibility.can_see(7, Some("35-SRO-001")));
    assert_eq!(store.grants(org.id).await.expect("grants"), vec![zone]);

    assert!(matches!(
        store.grant(OrgId(999), &ZonePattern::All).await,
        Err(AccessError::NoOrganisation(OrgId(999)))
    ));
    assert!(matches!(
        store.grants(OrgId(999)).await,
        Err(AccessError::NoOrganisation(_))
    ));
    store.close().await;
    place.finish().await;
}

async fn an_admin_manages_its_own_organisations_tokens_only(place: Place) {
    let store = AccessStore::open(&place.location).await.expect("open");
    let a = store.create_organisation("A").await.expect("org");
    let b = store.create_organisation("B").await.expect("org");
    let (a_token, a_secret) = store
        .create_token(a.id, Role::Engineer, "a engineer")
        .await
        .expect("token");
    let (_, a_admin) = store
        .create_token(a.id, Role::Admin, "a admin")
        .await
        .expect("token");
    let (b_token, b_admin) = store
        .create_token(b.id, Role::Admin, "b admin")
        .await
        .expect("token");
    let a_admin = store.authenticate(a_admin.expose()).await.expect("valid");
    let b_admin = store.authenticate(b_admin.expose()).await.expect("valid");
    let a_engineer = store.authenticate(a_secret.expose()).await.expect("valid");

    // B's admin cannot see, revoke or create A's tokens, and learns nothing of them.
    let before = place.snapshot().await;
    assert!(matches!(
        store.revoke_token_as(&b_admin, &a_token.id).await,
        Err(AccessError::NoToken(id)) if id == a_token.id
    ));
    let b_listed = store.tokens_as(&b_admin).await.expect("list");
    assert_eq!(
        b_listed.iter().map(|t| &t.id).collect::<Vec<_>>(),
        vec![&b_token.id]
    );
    // Without the permission: an engineer, or the public.
    for caller in [&a_engineer, &Principal::Public] {
        assert!(matches!(
            store.create_token_as(caller, Role::Admin, "escalate").await,
            Err(AccessError::Forbidden {
                permission: Permission::ManageTokens
            })
        ));
        assert!(matches!(
            store.revoke_token_as(caller, &a_token.id).await,
            Err(AccessError::Forbidden { .. })
        ));
        assert!(matches!(
            store.tokens_as(caller).await,
            Err(AccessError::Forbidden { .. })
        ));
    }
    assert_eq!(place.snapshot().await, before, "refusals change nothing");
    store
        .authenticate(a_secret.expose())
        .await
        .expect("A's token still valid");

    // A's admin can.
    let (created, secret) = store
        .create_token_as(&a_admin, Role::Delegatee, "new")
        .await
        .expect("create");
    assert_eq!(created.org, a.id);
    assert_eq!(store.tokens_as(&a_admin).await.expect("list").len(), 3);
    let revoked = store
        .revoke_token_as(&a_admin, &a_token.id)
        .await
        .expect("revoke");
    assert!(revoked.is_revoked());
    assert!(is_invalid_token(
        store.authenticate(a_secret.expose()).await
    ));
    store
        .authenticate(secret.expose())
        .await
        .expect("new token valid");
    store.close().await;
    place.finish().await;
}

async fn organisation_names_are_unique_and_must_be_readable(place: Place) {
    let store = AccessStore::open(&place.location).await.expect("open");
    let first = store.create_organisation("Axione").await.expect("org");
    let before = place.snapshot().await;
    assert!(matches!(
        store.create_organisation("Axione").await,
        Err(AccessError::DuplicateOrganisation(name)) if name == "Axione"
    ));
    for bad in ["", " Axione", "a\nb"] {
        assert!(matches!(
            store.create_organisation(bad).await,
            Err(AccessError::InvalidText { .. })
        ));
    }
    assert!(matches!(
        store.create_token(first.id, Role::Admin, "  ").await,
        Err(AccessError::InvalidText { .. })
    ));
    assert!(matches!(
        store.create_token(OrgId(999), Role::Admin, "x").await,
        Err(AccessError::NoOrganisation(OrgId(999)))
    ));
    assert_eq!(place.snapshot().await, before);
    let second = store
        .create_organisation("Axione Bretagne")
        .await
        .expect("org");
    assert_eq!(
        store.organisations().await.expect("list"),
        vec![first.clone(), second]
    );
    assert_eq!(
        store.organisation_named("Axione").await.expect("named"),
        Some(first)
    );
    assert_eq!(
        store.organisation_named("axione").await.expect("named"),
        None
    );
    store.close().await;
    place.finish().await;
}

async fn access_tables_of_a_newer_schema_are_refused(place: Place) {
    AccessStore::open(&place.location)
        .await
        .expect("create")
        .close()
        .await;
    // Reopening an up-to-date database applies nothing.
    let before = place.snapshot().await;
    AccessStore::open(&place.location)
        .await
        .expect("reopen")
        .close()
        .await;
    assert_eq!(place.snapshot().await, before);
    place
        .execute(&format!(
            "UPDATE access_schema_version SET version = {}",
            SCHEMA_VERSION + 1
        ))
        .await;
    match AccessStore::open(&place.location).await {
        Err(
            err @ AccessError::NewerSchema {
                found, supported, ..
            },
        ) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            assert!(err.to_string().contains("upgrade the engine"), "{err}");
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    place.finish().await;
}

async fn the_access_tables_live_beside_the_delivery_store(place: Place) {
    // A new database: the delivery store first (see the crate docs), then the access tables.
    let deliveries = thd_store::Store::open(&place.location)
        .await
        .expect("store");
    let store = AccessStore::open(&place.location).await.expect("access");
    let org = store.create_organisation("A").await.expect("org");
    store.set_owner(1, org.id).await.expect("owner");
    deliveries.close().await;
    store.close().await;
    // Both reopen, in the other order, and keep their data.
    let store = AccessStore::open(&place.location).await.expect("access");
    let deliveries = thd_store::Store::open(&place.location)
        .await
        .expect("store");
    assert!(deliveries.deliveries().await.expect("list").is_empty());
    assert_eq!(store.owner_of(1).await.expect("owner"), Some(org.id));
    let tables: BTreeMap<String, usize> = place
        .snapshot()
        .await
        .into_iter()
        .map(|(table, rows)| (table, rows.len()))
        .collect();
    assert_eq!(
        tables.keys().collect::<Vec<_>>(),
        [
            "access_delivery_owner",
            "access_grant",
            "access_organisation",
            "access_schema_version",
            "access_token"
        ]
    );
    deliveries.close().await;
    store.close().await;
    place.finish().await;
}

/// Random strings — arbitrary text, well-shaped tokens, the real id with a random secret, the real secret
/// with one character replaced — never authenticate.
mod random_strings_never_authenticate {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use thd_access::{AccessError, AccessStore, Role};

    use super::Place;

    fn run(place: Place, runtime: &tokio::runtime::Runtime) {
        let store = runtime
            .block_on(AccessStore::open(&place.location))
            .expect("open");
        let org = runtime
            .block_on(store.create_organisation("A"))
            .expect("org");
        let (token, secret) = runtime
            .block_on(store.create_token(org.id, Role::Admin, "real"))
            .expect("token");
        let real = secret.expose().to_owned();
        let id = token.id.to_string();
        let tampered = (
            (real.len() - 64)..real.len(),
            proptest::char::range('0', 'z'),
        )
            .prop_map({
                let real = real.clone();
                move |(i, c)| {
                    let mut s = real.clone();
                    s.replace_range(i..=i, &c.to_string());
                    s
                }
            });
        let strategy = prop_oneof![
            any::<String>(),
            "thd_[0-9a-f]{16}_[0-9a-f]{64}",
            "[0-9a-f]{64}".prop_map(move |s| format!("thd_{id}_{s}")),
            tampered,
        ];
        let mut runner = TestRunner::new(Config {
            cases: 512,
            ..Config::default()
        });
        runner
            .run(&strategy, |candidate| {
                prop_assume!(candidate != real);
                let outcome = runtime.block_on(store.authenticate(&candidate));
                prop_assert!(
                    matches!(outcome, Err(AccessError::InvalidToken)),
                    "{candidate:?} gave {outcome:?}"
                );
                Ok(())
            })
            .expect("no random string authenticates");
        runtime
            .block_on(store.authenticate(&real))
            .expect("real token");
        runtime.block_on(store.close());
        runtime.block_on(place.finish());
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    #[test]
    fn sqlite() {
        run(Place::sqlite(), &runtime());
    }

    #[test]
    fn postgres() {
        let runtime = runtime();
        if let Some(place) = runtime.block_on(Place::postgres("random_strings")) {
            run(place, &runtime);
        }
    }
}
