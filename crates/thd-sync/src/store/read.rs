//! Reading the sync tables: a subject's state with its dates and reservations, lists, the audit trail, pages of
//! changes after a cursor, and the zones' acceptances for the planning code.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyConnection, AssertSqlSafe};

use super::{SyncStore, placeholders, text};
use crate::SyncError;
use crate::records::{
    Acceptances, Action, Actor, AuditEntry, Changes, Filter, Reservation, SubjectStatus,
    SubjectSummary, ZoneStatus,
};
use crate::subject::{Subject, SubjectKind};
use crate::workflow::State;

/// The audit columns, with the subject's key, followed by the rest of a query.
macro_rules! audit_query {
    ($rest:literal) => {
        concat!(
            "SELECT a.seq, s.delivery_id, s.kind, s.code, a.action, a.from_state, a.to_state, a.version, a.at, \
             a.organisation, a.token_id, a.idempotency_key, a.payload \
             FROM sync_audit a JOIN sync_subject s ON s.id = a.subject_id ",
            $rest
        )
    };
}

type AuditRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
);

type SummaryRow = (i64, String, String, String, i64, Option<String>);

/// The row id followed by a [`SummaryRow`].
type IdSummaryRow = (i64, i64, String, String, String, i64, Option<String>);

/// A subject's row as a write needs it.
#[derive(Debug)]
pub(super) struct SubjectRow {
    pub id: i64,
    pub state: State,
    pub version: i64,
}

impl SyncStore {
    /// The current state of `subject`, with when each state was reached, its reservations and, when rejected,
    /// why.
    pub async fn subject(&self, subject: &Subject) -> Result<SubjectStatus, SyncError> {
        let mut conn = self.reader.acquire().await.map_err(self.db())?;
        self.status_in(&mut conn, subject).await
    }

    /// The subjects matching `filter`, by delivery, kind and code.
    pub async fn list(&self, filter: &Filter) -> Result<Vec<SubjectSummary>, SyncError> {
        if filter.delivery_ids.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        let mut sql = String::from(
            "SELECT delivery_id, kind, code, state, version, in_operation_on FROM sync_subject WHERE 1 = 1",
        );
        let mut n = 0;
        if filter.state.is_some() {
            n += 1;
            sql.push_str(&format!(" AND state = ${n}"));
        }
        if filter.kind.is_some() {
            n += 1;
            sql.push_str(&format!(" AND kind = ${n}"));
        }
        if let Some(ids) = &filter.delivery_ids {
            sql.push_str(&format!(
                " AND delivery_id IN ({})",
                placeholders(n + 1, ids.len())
            ));
        }
        sql.push_str(" ORDER BY delivery_id, kind, code");
        let mut query = sqlx::query_as::<_, SummaryRow>(AssertSqlSafe(sql));
        if let Some(state) = filter.state {
            query = query.bind(state.code());
        }
        if let Some(kind) = filter.kind {
            query = query.bind(kind.code());
        }
        for id in filter.delivery_ids.iter().flatten() {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&self.reader).await.map_err(self.db())?;
        rows.into_iter().map(|row| self.summary(row)).collect()
    }

    /// Every write of `subject`, oldest first.
    pub async fn audit(&self, subject: &Subject) -> Result<Vec<AuditEntry>, SyncError> {
        let mut conn = self.reader.acquire().await.map_err(self.db())?;
        let row = self
            .subject_row(&mut conn, subject)
            .await?
            .ok_or_else(|| SyncError::UnknownSubject(subject.clone()))?;
        let rows: Vec<AuditRow> =
            sqlx::query_as(audit_query!("WHERE a.subject_id = $1 ORDER BY a.seq"))
                .bind(row.id)
                .fetch_all(&mut *conn)
                .await
                .map_err(self.db())?;
        rows.into_iter().map(|row| self.entry(row)).collect()
    }

    /// At most `limit` writes after `cursor` (0 for all), oldest first, of the subjects of `delivery_ids` (all
    /// when `None`), and the cursor to ask with next. Pulling with each answer's `next_cursor` gives every
    /// write exactly once (the crate documentation says how sequence numbers follow commit order).
    pub async fn changes_since(
        &self,
        cursor: i64,
        limit: u32,
        delivery_ids: Option<&[i64]>,
    ) -> Result<Changes, SyncError> {
        let nothing = Changes {
            entries: Vec::new(),
            next_cursor: cursor,
            more: false,
        };
        if delivery_ids.is_some_and(<[i64]>::is_empty) {
            return Ok(nothing);
        }
        let sql = match delivery_ids {
            None => audit_query!("WHERE a.seq > $1 ORDER BY a.seq LIMIT $2").to_owned(),
            Some(ids) => format!(
                audit_query!("WHERE a.seq > $1 AND s.delivery_id IN ({}) ORDER BY a.seq LIMIT $2"),
                placeholders(3, ids.len())
            ),
        };
        // One more than asked, to tell whether more wait.
        let mut query = sqlx::query_as::<_, AuditRow>(AssertSqlSafe(sql))
            .bind(cursor)
            .bind(i64::from(limit) + 1);
        for id in delivery_ids.into_iter().flatten() {
            query = query.bind(*id);
        }
        let mut rows = query.fetch_all(&self.reader).await.map_err(self.db())?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let entries = rows
            .into_iter()
            .map(|row| self.entry(row))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Changes {
            next_cursor: entries.last().map_or(cursor, |e| e.seq),
            entries,
            more,
        })
    }

    /// The acceptance of every SRO and PBO zone registered with one of `delivery_ids`, by zone code. When a
    /// zone is a subject of several of these deliveries: if any took it into operation, it is in operation
    /// since the earliest such date (a later delivery — an update of the as-built records — does not take an
    /// operated network out of service); otherwise the newest delivery (highest id) decides, since it is the
    /// one being received.
    pub async fn acceptances(&self, delivery_ids: &[i64]) -> Result<Acceptances, SyncError> {
        let mut acceptances = Acceptances::default();
        if delivery_ids.is_empty() {
            return Ok(acceptances);
        }
        let sql = format!(
            "SELECT delivery_id, kind, code, state, version, in_operation_on FROM sync_subject \
             WHERE kind <> 'delivery' AND delivery_id IN ({})",
            placeholders(1, delivery_ids.len())
        );
        let mut query = sqlx::query_as::<_, SummaryRow>(AssertSqlSafe(sql));
        for id in delivery_ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&self.reader).await.map_err(self.db())?;
        for row in rows {
            let summary = self.summary(row)?;
            let zones = match summary.subject.kind() {
                SubjectKind::Sro => &mut acceptances.sro,
                SubjectKind::Pbo => &mut acceptances.pbo,
                SubjectKind::Delivery => continue,
            };
            let candidate = ZoneStatus {
                acceptance: summary.state.acceptance(),
                in_operation_on: summary.in_operation_on,
                delivery_id: summary.subject.delivery_id(),
            };
            match zones.entry(summary.subject.code().to_owned()) {
                Entry::Vacant(slot) => {
                    slot.insert(candidate);
                }
                Entry::Occupied(mut slot) => {
                    if decides_over(&candidate, slot.get()) {
                        slot.insert(candidate);
                    }
                }
            }
        }
        Ok(acceptances)
    }

    pub(super) async fn subject_row(
        &self,
        conn: &mut AnyConnection,
        subject: &Subject,
    ) -> Result<Option<SubjectRow>, SyncError> {
        let row: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT id, state, version FROM sync_subject WHERE delivery_id = $1 AND kind = $2 AND code = $3",
        )
        .bind(subject.delivery_id())
        .bind(subject.kind().code())
        .bind(subject.code())
        .fetch_optional(&mut *conn)
        .await
        .map_err(self.db())?;
        row.map(|(id, state, version)| {
            Ok(SubjectRow {
                id,
                state: self.state(&state)?,
                version,
            })
        })
        .transpose()
    }

    /// How many reservations of the subject are not lifted.
    pub(super) async fn open_reservations(
        &self,
        conn: &mut AnyConnection,
        subject_id: i64,
    ) -> Result<u32, SyncError> {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sync_reservation WHERE subject_id = $1 AND lifted_at IS NULL",
        )
        .bind(subject_id)
        .fetch_one(&mut *conn)
        .await
        .map_err(self.db())?;
        u32::try_from(open).map_err(|_| self.corrupt(format!("{open} open reservations")))
    }

    /// When reservation `number` of the subject was lifted: `None` if there is no such reservation,
    /// `Some(None)` if it is open.
    pub(super) async fn reservation_lifted_at(
        &self,
        conn: &mut AnyConnection,
        subject_id: i64,
        number: i64,
    ) -> Result<Option<Option<DateTime<Utc>>>, SyncError> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT lifted_at FROM sync_reservation WHERE subject_id = $1 AND number = $2",
        )
        .bind(subject_id)
        .bind(number)
        .fetch_optional(&mut *conn)
        .await
        .map_err(self.db())?;
        row.map(|(lifted_at,)| lifted_at.map(|t| self.timestamp(&t)).transpose())
            .transpose()
    }

    /// The audit row of `subject` written under an idempotency key of an organisation. Found through the
    /// subject (a key is bound to a request, which names its subject), so the audit table needs no index on
    /// keys: `sync_request` already makes them unique.
    pub(super) async fn entry_by_key(
        &self,
        conn: &mut AnyConnection,
        subject: &Subject,
        organisation: &str,
        key: &str,
    ) -> Result<Option<AuditEntry>, SyncError> {
        let row: Option<AuditRow> = sqlx::query_as(audit_query!(
            "WHERE s.delivery_id = $1 AND s.kind = $2 AND s.code = $3 \
             AND a.organisation = $4 AND a.idempotency_key = $5"
        ))
        .bind(subject.delivery_id())
        .bind(subject.kind().code())
        .bind(subject.code())
        .bind(organisation)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await
        .map_err(self.db())?;
        row.map(|row| self.entry(row)).transpose()
    }

    /// The subject's row id and current state.
    pub(super) async fn summary_in(
        &self,
        conn: &mut AnyConnection,
        subject: &Subject,
    ) -> Result<(i64, SubjectSummary), SyncError> {
        let row: Option<IdSummaryRow> = sqlx::query_as(
            "SELECT id, delivery_id, kind, code, state, version, in_operation_on FROM sync_subject \
             WHERE delivery_id = $1 AND kind = $2 AND code = $3",
        )
        .bind(subject.delivery_id())
        .bind(subject.kind().code())
        .bind(subject.code())
        .fetch_optional(&mut *conn)
        .await
        .map_err(self.db())?;
        let (id, delivery_id, kind, code, state, version, in_operation_on) =
            row.ok_or_else(|| SyncError::UnknownSubject(subject.clone()))?;
        let summary = self.summary((delivery_id, kind, code, state, version, in_operation_on))?;
        Ok((id, summary))
    }

    pub(super) async fn status_in(
        &self,
        conn: &mut AnyConnection,
        subject: &Subject,
    ) -> Result<SubjectStatus, SyncError> {
        let (id, summary) = self.summary_in(conn, subject).await?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT to_state, MAX(at) FROM sync_audit WHERE subject_id = $1 AND action <> 'lift_reservation' \
             GROUP BY to_state",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(self.db())?;
        let mut reached = BTreeMap::new();
        for (state, at) in rows {
            reached.insert(self.state(&state)?, self.timestamp(&at)?);
        }
        type ReservationRow = (i64, String, String, String, Option<String>);
        let rows: Vec<ReservationRow> = sqlx::query_as(
            "SELECT number, object_code, reason, due_on, lifted_at FROM sync_reservation \
             WHERE subject_id = $1 ORDER BY number",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(self.db())?;
        let mut reservations = Vec::with_capacity(rows.len());
        for (number, object_code, reason, due_on, lifted_at) in rows {
            reservations.push(Reservation {
                number,
                object_code,
                reason,
                due_on: self.date(&due_on)?,
                lifted_at: lifted_at.map(|t| self.timestamp(&t)).transpose()?,
            });
        }
        let rejection_reasons = if summary.state == State::Rejected {
            let payload: String = sqlx::query_scalar(
                "SELECT payload FROM sync_audit WHERE subject_id = $1 AND to_state = 'rejected' \
                 ORDER BY seq DESC LIMIT 1",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await
            .map_err(self.db())?;
            self.reasons(&payload)?
        } else {
            Vec::new()
        };
        Ok(SubjectStatus {
            summary,
            reached,
            reservations,
            rejection_reasons,
        })
    }

    fn summary(&self, row: SummaryRow) -> Result<SubjectSummary, SyncError> {
        let (delivery_id, kind, code, state, version, in_operation_on) = row;
        Ok(SubjectSummary {
            subject: self.subject_of(delivery_id, &kind, code)?,
            state: self.state(&state)?,
            version,
            in_operation_on: in_operation_on.map(|d| self.date(&d)).transpose()?,
        })
    }

    fn entry(&self, row: AuditRow) -> Result<AuditEntry, SyncError> {
        let (
            seq,
            delivery_id,
            kind,
            code,
            action,
            from,
            to,
            version,
            at,
            organisation,
            token_id,
            idempotency_key,
            payload,
        ) = row;
        Ok(AuditEntry {
            seq,
            subject: self.subject_of(delivery_id, &kind, code)?,
            action: Action::from_code(&action)
                .ok_or_else(|| self.corrupt(format!("audit {seq}: action {action:?}")))?,
            from: from.map(|s| self.state(&s)).transpose()?,
            to: self.state(&to)?,
            version,
            at: self.timestamp(&at)?,
            actor: Actor {
                organisation,
                token_id,
            },
            idempotency_key,
            payload: serde_json::from_str(&payload)
                .map_err(|e| self.corrupt(format!("audit {seq}: payload {e}")))?,
        })
    }

    fn subject_of(&self, delivery_id: i64, kind: &str, code: String) -> Result<Subject, SyncError> {
        Subject::from_parts(delivery_id, kind, code)
            .ok_or_else(|| self.corrupt(format!("subject kind {kind:?}")))
    }

    fn state(&self, code: &str) -> Result<State, SyncError> {
        State::from_code(code).ok_or_else(|| self.corrupt(format!("state {code:?}")))
    }

    fn timestamp(&self, value: &str) -> Result<DateTime<Utc>, SyncError> {
        text::parse_timestamp(value).ok_or_else(|| self.corrupt(format!("timestamp {value:?}")))
    }

    fn date(&self, value: &str) -> Result<NaiveDate, SyncError> {
        text::parse_date(value).ok_or_else(|| self.corrupt(format!("date {value:?}")))
    }

    /// The reasons of a rejection's audit payload.
    fn reasons(&self, payload: &str) -> Result<Vec<String>, SyncError> {
        let value: serde_json::Value = serde_json::from_str(payload)
            .map_err(|e| self.corrupt(format!("rejection payload: {e}")))?;
        value["reasons"]
            .as_array()
            .and_then(|reasons| {
                reasons
                    .iter()
                    .map(|r| r.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| self.corrupt(format!("rejection payload without reasons: {payload}")))
    }
}

/// Whether `candidate` decides a zone's acceptance over `current` (see [`SyncStore::acceptances`]).
fn decides_over(candidate: &ZoneStatus, current: &ZoneStatus) -> bool {
    match (candidate.in_operation_on, current.in_operation_on) {
        (Some(a), Some(b)) => (a, candidate.delivery_id) < (b, current.delivery_id),
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => candidate.delivery_id > current.delivery_id,
    }
}
