//! The writes: registering a subject, applying a transition, lifting a reservation. Each is one transaction
//! that either writes everything (the change, its reservations, its audit row, its idempotency key) or nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::AnyConnection;

use super::read::SubjectRow;
use super::{SyncStore, text};
use crate::SyncError;
use crate::records::{Action, Actor, Applied, AuditEntry, Command, Lift, Registration};
use crate::subject::Subject;
use crate::workflow::{self, State, Transition};

/// What an idempotency key is bound to: the request without who sent it or when, so that a retry — by
/// another token of the organisation, stamped later by the server — is still the same request. Serialised to
/// canonical JSON (fields in declaration order) and compared as text.
#[derive(Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Request<'a> {
    Transition {
        subject: &'a Subject,
        expected_version: i64,
        transition: &'a Transition,
    },
    LiftReservation {
        subject: &'a Subject,
        expected_version: i64,
        reservation: i64,
    },
}

impl Request<'_> {
    fn canonical(&self) -> String {
        json!(self).to_string()
    }
}
impl SyncStore {
    /// Enters a delivery and its SRO and PBO zones (`zs_code`s, `zp_code`s) in `received`, as an import does, in
    /// one transaction (a region's 200 000 PBO zones are one commit, not 200 000); subjects already registered
    /// are left as they are. Returns how many subjects were new.
    pub async fn register_delivery(
        &self,
        delivery_id: i64,
        sro_zones: &[String],
        pbo_zones: &[String],
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<usize, SyncError> {
        let subjects: Vec<Subject> = std::iter::once(Subject::delivery(delivery_id))
            .chain(
                sro_zones
                    .iter()
                    .map(|code| Subject::sro(delivery_id, code.clone())),
            )
            .chain(
                pbo_zones
                    .iter()
                    .map(|code| Subject::pbo(delivery_id, code.clone())),
            )
            .collect();
        for subject in &subjects {
            check_subject(subject)?;
        }
        check_actor(actor)?;
        let at = text::normalise(at);
        let mut conn = self.write_connection().await?;
        let mut tx = self.begin(&mut conn).await?;
        let mut new = 0;
        for subject in &subjects {
            if self
                .register_in(&mut tx, subject, at, actor)
                .await?
                .is_some()
            {
                new += 1;
            }
        }
        tx.commit().await.map_err(self.db())?;
        Ok(new)
    }

    /// Registers `subject` in `received`, with an audit row (version 1). A subject already registered is left
    /// as it is and its current state returned: the server registers on every import without asking first.
    pub async fn register(
        &self,
        subject: &Subject,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Registration, SyncError> {
        check_subject(subject)?;
        check_actor(actor)?;
        let at = text::normalise(at);
        let mut conn = self.write_connection().await?;
        let mut tx = self.begin(&mut conn).await?;
        let Some(entry) = self.register_in(&mut tx, subject, at, actor).await? else {
            let (_, current) = self.summary_in(&mut tx, subject).await?;
            tx.rollback().await.map_err(self.db())?;
            return Ok(Registration::AlreadyRegistered { current });
        };
        tx.commit().await.map_err(self.db())?;
        Ok(Registration::Registered { entry })
    }

    /// Inserts `subject` in `received` with its audit row inside `tx`; `None` when it was already registered.
    async fn register_in(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        subject: &Subject,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Option<AuditEntry>, SyncError> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO sync_subject (delivery_id, kind, code, state, version) VALUES ($1, $2, $3, $4, 1) \
             ON CONFLICT (delivery_id, kind, code) DO NOTHING RETURNING id",
        )
        .bind(subject.delivery_id())
        .bind(subject.kind().code())
        .bind(subject.code())
        .bind(State::Received.code())
        .fetch_optional(&mut **tx)
        .await
        .map_err(self.db())?;
        let Some(id) = id else {
            return Ok(None);
        };
        let entry = AuditEntry {
            seq: 0,
            subject: subject.clone(),
            action: Action::Register,
            from: None,
            to: State::Received,
            version: 1,
            at,
            actor: actor.clone(),
            idempotency_key: None,
            payload: json!({}),
        };
        Ok(Some(self.record(tx, id, entry).await?))
    }

    /// Moves a subject to another state, in one transaction: idempotency key, version, transition and payload
    /// checks, then the new state (version + 1), its reservations and the audit row. Every refusal leaves the
    /// store as it was; a replayed key gives back the original outcome (`replayed`).
    pub async fn apply(&self, command: &Command) -> Result<Applied, SyncError> {
        let subject = &command.subject;
        check_subject(subject)?;
        check_actor(&command.actor)?;
        check_key(&command.idempotency_key)?;
        let transition = command
            .transition
            .validate()
            .map_err(|error| SyncError::Refused {
                subject: subject.clone(),
                error,
            })?;
        let request = Request::Transition {
            subject,
            expected_version: command.expected_version,
            transition: &transition,
        }
        .canonical();
        let at = text::normalise(command.at);
        let mut conn = self.write_connection().await?;
        let mut tx = self.begin(&mut conn).await?;
        if let Some(original) = self
            .claim(
                &mut tx,
                subject,
                &command.actor,
                &command.idempotency_key,
                &request,
            )
            .await?
        {
            tx.rollback().await.map_err(self.db())?;
            return Ok(original);
        }
        let row = self
            .current(&mut tx, subject, command.expected_version)
            .await?;
        let open = if row.state == State::AcceptedWithReservations {
            self.open_reservations(&mut tx, row.id).await?
        } else {
            0
        };
        workflow::check(row.state, transition.to(), open).map_err(|error| SyncError::Refused {
            subject: subject.clone(),
            error,
        })?;
        let in_operation_on = match &transition {
            Transition::InOperation { date } => Some(text::date(*date)),
            _ => None,
        };
        let updated = sqlx::query(
            "UPDATE sync_subject SET state = $1, version = version + 1, \
             in_operation_on = COALESCE($2, in_operation_on) WHERE id = $3 AND version = $4",
        )
        .bind(transition.to().code())
        .bind(in_operation_on)
        .bind(row.id)
        .bind(row.version)
        .execute(&mut *tx)
        .await
        .map_err(self.db())?
        .rows_affected();
        if updated == 0 {
            return Err(self.stale(&mut tx, subject, command.expected_version).await);
        }
        let payload = match &transition {
            Transition::AcceptedWithReservations { reservations } => {
                let mut numbered = Vec::with_capacity(reservations.len());
                // Numbered from 1: a subject is accepted with reservations at most once (nothing leads back).
                for (number, r) in (1_i64..).zip(reservations) {
                    sqlx::query(
                        "INSERT INTO sync_reservation (subject_id, number, object_code, reason, due_on) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(row.id)
                    .bind(number)
                    .bind(&r.object_code)
                    .bind(&r.reason)
                    .bind(text::date(r.due_on))
                    .execute(&mut *tx)
                    .await
                    .map_err(self.db())?;
                    numbered.push(json!({
                        "number": number,
                        "object_code": r.object_code,
                        "reason": r.reason,
                        "due_on": r.due_on,
                    }));
                }
                json!({ "reservations": numbered })
            }
            Transition::Rejected { reasons } => json!({ "reasons": reasons }),
            Transition::InOperation { date } => json!({ "date": date }),
            Transition::Received
            | Transition::UnderInspection
            | Transition::Accepted
            | Transition::ReservationsLifted => json!({}),
        };
        let entry = AuditEntry {
            seq: 0,
            subject: subject.clone(),
            action: Action::Transition,
            from: Some(row.state),
            to: transition.to(),
            version: row.version + 1,
            at,
            actor: command.actor.clone(),
            idempotency_key: Some(command.idempotency_key.clone()),
            payload,
        };
        let entry = self.record(&mut tx, row.id, entry).await?;
        tx.commit().await.map_err(self.db())?;
        Ok(Applied {
            entry,
            replayed: false,
        })
    }

    /// Lifts one reservation of a subject accepted with reservations: versioned, idempotent and audited like
    /// [`SyncStore::apply`]; the state stays `accepted_with_reservations` until `reservations_lifted` is
    /// applied.
    pub async fn lift_reservation(&self, lift: &Lift) -> Result<Applied, SyncError> {
        let subject = &lift.subject;
        check_subject(subject)?;
        check_actor(&lift.actor)?;
        check_key(&lift.idempotency_key)?;
        let request = Request::LiftReservation {
            subject,
            expected_version: lift.expected_version,
            reservation: lift.reservation,
        }
        .canonical();
        let at = text::normalise(lift.at);
        let mut conn = self.write_connection().await?;
        let mut tx = self.begin(&mut conn).await?;
        if let Some(original) = self
            .claim(
                &mut tx,
                subject,
                &lift.actor,
                &lift.idempotency_key,
                &request,
            )
            .await?
        {
            tx.rollback().await.map_err(self.db())?;
            return Ok(original);
        }
        let row = self
            .current(&mut tx, subject, lift.expected_version)
            .await?;
        match self
            .reservation_lifted_at(&mut tx, row.id, lift.reservation)
            .await?
        {
            None => {
                return Err(SyncError::UnknownReservation {
                    subject: subject.clone(),
                    number: lift.reservation,
                });
            }
            Some(Some(lifted_at)) => {
                return Err(SyncError::AlreadyLifted {
                    subject: subject.clone(),
                    number: lift.reservation,
                    lifted_at,
                });
            }
            Some(None) => {}
        }
        let updated = sqlx::query(
            "UPDATE sync_subject SET version = version + 1 WHERE id = $1 AND version = $2",
        )
        .bind(row.id)
        .bind(row.version)
        .execute(&mut *tx)
        .await
        .map_err(self.db())?
        .rows_affected();
        if updated == 0 {
            return Err(self.stale(&mut tx, subject, lift.expected_version).await);
        }
        sqlx::query(
            "UPDATE sync_reservation SET lifted_at = $1 WHERE subject_id = $2 AND number = $3",
        )
        .bind(text::timestamp(at))
        .bind(row.id)
        .bind(lift.reservation)
        .execute(&mut *tx)
        .await
        .map_err(self.db())?;
        let entry = AuditEntry {
            seq: 0,
            subject: subject.clone(),
            action: Action::LiftReservation,
            from: Some(row.state),
            to: row.state,
            version: row.version + 1,
            at,
            actor: lift.actor.clone(),
            idempotency_key: Some(lift.idempotency_key.clone()),
            payload: json!({ "reservation": lift.reservation }),
        };
        let entry = self.record(&mut tx, row.id, entry).await?;
        tx.commit().await.map_err(self.db())?;
        Ok(Applied {
            entry,
            replayed: false,
        })
    }

    /// Claims the organisation's idempotency key for `request` (see the crate documentation); `Some` with the original
    /// outcome when the same request was already applied under it.
    async fn claim(
        &self,
        tx: &mut AnyConnection,
        subject: &Subject,
        actor: &Actor,
        key: &str,
        request: &str,
    ) -> Result<Option<Applied>, SyncError> {
        let claimed = sqlx::query(
            "INSERT INTO sync_request (organisation, idempotency_key, request) VALUES ($1, $2, $3) \
             ON CONFLICT (organisation, idempotency_key) DO NOTHING",
        )
        .bind(&actor.organisation)
        .bind(key)
        .bind(request)
        .execute(&mut *tx)
        .await
        .map_err(self.db())?
        .rows_affected();
        if claimed == 1 {
            return Ok(None);
        }
        let first: String = sqlx::query_scalar(
            "SELECT request FROM sync_request WHERE organisation = $1 AND idempotency_key = $2",
        )
        .bind(&actor.organisation)
        .bind(key)
        .fetch_one(&mut *tx)
        .await
        .map_err(self.db())?;
        if first != request {
            return Err(SyncError::KeyReused {
                organisation: actor.organisation.clone(),
                key: key.to_owned(),
            });
        }
        let entry = self
            .entry_by_key(tx, subject, &actor.organisation, key)
            .await?
            .ok_or_else(|| {
                self.corrupt(format!(
                    "idempotency key {key:?} of {:?} has no audit row",
                    actor.organisation
                ))
            })?;
        Ok(Some(Applied {
            entry,
            replayed: true,
        }))
    }

    /// The subject's row, if it is registered and at the version the writer expects.
    async fn current(
        &self,
        tx: &mut AnyConnection,
        subject: &Subject,
        expected_version: i64,
    ) -> Result<SubjectRow, SyncError> {
        let row = self
            .subject_row(tx, subject)
            .await?
            .ok_or_else(|| SyncError::UnknownSubject(subject.clone()))?;
        if row.version != expected_version {
            return Err(self.stale(tx, subject, expected_version).await);
        }
        Ok(row)
    }

    /// The stale-version error with where the subject stands now (read in the failing transaction: on
    /// PostgreSQL each statement sees what is committed, including the write that made this one stale).
    async fn stale(&self, tx: &mut AnyConnection, subject: &Subject, expected: i64) -> SyncError {
        match self.status_in(tx, subject).await {
            Ok(current) => SyncError::Stale {
                subject: subject.clone(),
                expected,
                current: Box::new(current),
            },
            Err(e) => e,
        }
    }

    /// Writes the audit row, which gets its sequence number from the database (see the crate documentation on
    /// why the numbers follow commit order).
    async fn record(
        &self,
        tx: &mut AnyConnection,
        subject_id: i64,
        mut entry: AuditEntry,
    ) -> Result<AuditEntry, SyncError> {
        entry.seq = sqlx::query_scalar(
            "INSERT INTO sync_audit (subject_id, action, from_state, to_state, version, at, organisation, \
             token_id, idempotency_key, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq",
        )
        .bind(subject_id)
        .bind(entry.action.code())
        .bind(entry.from.map(State::code))
        .bind(entry.to.code())
        .bind(entry.version)
        .bind(text::timestamp(entry.at))
        .bind(&entry.actor.organisation)
        .bind(&entry.actor.token_id)
        .bind(entry.idempotency_key.as_deref())
        .bind(entry.payload.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(self.db())?;
        Ok(entry)
    }
}

fn check_subject(subject: &Subject) -> Result<(), SyncError> {
    match subject {
        Subject::Sro { code, .. } | Subject::Pbo { code, .. } if code.trim().is_empty() => {
            Err(SyncError::Empty { field: "zone code" })
        }
        _ => Ok(()),
    }
}

fn check_actor(actor: &Actor) -> Result<(), SyncError> {
    if actor.organisation.trim().is_empty() {
        return Err(SyncError::Empty {
            field: "organisation",
        });
    }
    Ok(())
}

fn check_key(key: &str) -> Result<(), SyncError> {
    if key.trim().is_empty() {
        return Err(SyncError::Empty {
            field: "idempotency key",
        });
    }
    Ok(())
}
