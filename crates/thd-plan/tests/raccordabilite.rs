//! The raccordabilité state machine: every allowed transition, every refused one with its reason, and the
//! replay of dated histories.

use chrono::NaiveDate;
use thd_plan::raccordabilite::Refusal::*;
use thd_plan::{
    AddressState, Blocker, History, ReplayError, TransitionError, ZoneAcceptance, blockers,
    is_raccordable,
};

use AddressState::*;

fn state(code: &str) -> AddressState {
    AddressState::from_code(code).unwrap_or_else(|| panic!("state {code}"))
}

fn day(d: &str) -> NaiveDate {
    NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
}

/// The expected outcome of every pair (from, to), written out by hand: `ok` or the reason of the refusal.
/// Columns: CI SI EC RD RC DE AB.
const TABLE: [(&str, [&str; 7]); 7] = [
    ("CI", ["same", "ok", "ok", "ok", "skip", "skip", "ok"]),
    ("SI", ["back", "same", "ok", "back", "cross", "skip", "ok"]),
    ("EC", ["back", "back", "same", "back", "back", "ok", "ok"]),
    ("RD", ["back", "back", "cross", "same", "ok", "skip", "ok"]),
    ("RC", ["back", "back", "back", "back", "same", "ok", "ok"]),
    ("DE", ["back", "back", "back", "back", "back", "same", "ok"]),
    (
        "AB",
        [
            "ok",
            "abandoned",
            "abandoned",
            "abandoned",
            "abandoned",
            "abandoned",
            "same",
        ],
    ),
];
const COLUMNS: [&str; 7] = ["CI", "SI", "EC", "RD", "RC", "DE", "AB"];

#[test]
fn every_transition_is_allowed_or_refused_with_its_reason() {
    let mut allowed = 0;
    for (from, outcomes) in TABLE {
        let from = state(from);
        for (to, expected) in COLUMNS.into_iter().zip(outcomes) {
            let to = state(to);
            let result = from.check(to);
            let reason = match expected {
                "ok" => {
                    assert_eq!(result, Ok(()), "{from} → {to}");
                    assert!(from.next().contains(&to));
                    allowed += 1;
                    continue;
                }
                "same" => Unchanged,
                "back" => Backwards,
                "cross" => CrossTrack,
                "skip" => Skipped,
                "abandoned" => FromAbandoned,
                other => unreachable!("{other}"),
            };
            let Err(TransitionError::Refused {
                reason: got,
                allowed: next,
                ..
            }) = result
            else {
                panic!("{from} → {to} should be refused: {result:?}");
            };
            assert_eq!(got, reason, "{from} → {to}");
            assert_eq!(
                next,
                from.next(),
                "the error lists what is allowed from {from}"
            );
        }
    }
    assert_eq!(allowed, 14, "CI 4, SI 2, EC 2, RD 2, RC 2, DE 1, AB 1");
    let message = Deployed.check(Deploying).unwrap_err().to_string();
    assert!(
        message.contains("DE → EC refused") && message.contains("allowed from DE: AB"),
        "{message}"
    );
}

#[test]
fn histories_replay_and_date_their_states() {
    let history = History::replay(
        Target,
        day("2019-01-10"),
        [
            (day("2020-02-01"), Signed),
            (day("2020-06-01"), Deploying),
            (day("2020-11-20"), Deployed),
        ],
    )
    .unwrap();
    assert_eq!(history.state(), Deployed);
    assert_eq!(history.deployed_since(), Some(day("2020-11-20")));
    assert_eq!(history.state_on(day("2019-01-01")), None);
    assert_eq!(history.state_on(day("2020-01-31")), Some(Target));
    assert_eq!(history.state_on(day("2020-06-01")), Some(Deploying));
    assert_eq!(history.state_on(day("2021-01-01")), Some(Deployed));
    assert_eq!(history.transitions.len(), 3);
    assert_eq!(history.transitions[1].from, Signed);

    // Abandoned then targeted again: deployed since the second time.
    let again = History::replay(
        Deployed,
        day("2018-05-05"),
        [
            (day("2019-03-01"), Abandoned),
            (day("2019-09-01"), Target),
            (day("2019-10-01"), OnDemand),
            (day("2020-01-15"), OnDemandDeploying),
            (day("2020-02-15"), Deployed),
        ],
    )
    .unwrap();
    assert_eq!(again.deployed_since(), Some(day("2020-02-15")));
    assert_eq!(
        History::new(Deployed, day("2018-05-05")).deployed_since(),
        Some(day("2018-05-05"))
    );
    assert_eq!(
        History::new(Signed, day("2018-05-05")).deployed_since(),
        None
    );
}

#[test]
fn a_replay_stops_at_the_first_invalid_event() {
    let skipped = History::replay(
        Target,
        day("2020-01-01"),
        [(day("2020-02-01"), Signed), (day("2020-03-01"), Deployed)],
    );
    let Err(ReplayError { index, error }) = skipped else {
        panic!("SI → DE must be refused");
    };
    assert_eq!(index, 1);
    assert!(matches!(
        error,
        TransitionError::Refused {
            reason: Skipped,
            ..
        }
    ));

    let backdated = History::replay(
        Target,
        day("2020-01-01"),
        [
            (day("2020-03-01"), Deploying),
            (day("2020-02-01"), Deployed),
        ],
    );
    assert_eq!(
        backdated.unwrap_err().error,
        TransitionError::OutOfOrder {
            date: day("2020-02-01"),
            last: day("2020-03-01")
        }
    );

    // A refused change leaves the history as it was.
    let mut history = History::new(Deploying, day("2020-01-01"));
    assert!(history.apply(Signed, day("2020-02-01")).is_err());
    assert_eq!(history, History::new(Deploying, day("2020-01-01")));
    history
        .apply(Deployed, day("2020-01-01"))
        .expect("same day is fine");
}

#[test]
fn raccordable_needs_a_deployed_address_a_built_pbo_and_a_zone_in_operation() {
    use ZoneAcceptance::*;
    assert!(is_raccordable(Some(Deployed), true, InOperation));
    for zone in [
        NotDelivered,
        Delivered,
        Rejected,
        ReservationsOpen,
        Accepted,
    ] {
        assert!(!is_raccordable(Some(Deployed), true, zone), "{zone:?}");
        assert_eq!(
            blockers(Some(Deployed), true, zone),
            vec![Blocker::ZoneNotInOperation(zone)]
        );
    }
    for state in [
        Target,
        Signed,
        Deploying,
        OnDemand,
        OnDemandDeploying,
        Abandoned,
    ] {
        assert!(!is_raccordable(Some(state), true, InOperation), "{state}");
    }
    assert_eq!(
        blockers(None, false, Rejected),
        vec![
            Blocker::NotDeployed(None),
            Blocker::PboNotBuilt,
            Blocker::ZoneNotInOperation(Rejected)
        ]
    );
    assert!(blockers(Some(Deployed), true, InOperation).is_empty());
}
