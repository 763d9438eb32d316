// Acceptance: the delegatee's acceptance of the works — subjects (the delivery, its SRO and PBO zones) by state
// (GET /acceptance/subjects), open reservations with their due dates (GET /acceptance/subject of each subject
// accepted with reservations), the latest writes of the audit trail (GET /acceptance/changes) and one subject's
// own history (GET /acceptance/audit).

import { api, withQuery } from '../api.js';
import { chart } from '../charts.js';
import { h, note, section, table } from '../dom.js';
import { fmtDate, fmtDateTime, t } from '../i18n.js';

const STATES = ['received', 'under_inspection', 'accepted', 'accepted_with_reservations', 'reservations_lifted', 'in_operation', 'rejected'];
const STATE_COLOURS = ['#adb5bd', '#74c0fc', '#40c057', '#f59f00', '#94d82d', '#2b8a3e', '#e03131'];
/** The most subjects whose reservations are read one by one, and the latest audit entries shown. */
const RESERVATION_SUBJECTS = 200;
const LATEST = 50;
const CHANGE_PAGES = 50;

const subjectName = (s) => (s.kind === 'delivery' ? `${t('kind.delivery')} ${s.delivery_id}` : `${t(`kind.${s.kind}`)} ${s.code}`);
const subjectQuery = (s) => ({ delivery: s.delivery_id, kind: s.kind, code: s.code });
const today = () => new Date().toISOString().slice(0, 10);

export async function render(root, ctx) {
  const scope = ctx.query.get('delivery') ?? (ctx.delivery ? String(ctx.delivery.id) : '');
  const kind = ctx.query.get('kind') ?? 'sro';
  const go = (changes) => {
    const query = new URLSearchParams({ delivery: scope, kind, ...changes });
    location.hash = `#/acceptance?${query}`;
  };
  root.append(
    h('h1', { text: t('acceptance.title') }),
    h(
      'div',
      { class: 'toolbar' },
      h('label', {}, `${t('acceptance.scope')} `, h('select', { onchange: (e) => go({ delivery: e.target.value }) },
        h('option', { value: '', text: t('acceptance.all'), selected: scope === '' }),
        [...ctx.deliveries].reverse().map((d) => h('option', { value: d.id, text: `${d.id} — ${d.zone ?? '—'}`, selected: String(d.id) === scope })))),
      h('label', {}, `${t('acceptance.kind')} `, h('select', { onchange: (e) => go({ kind: e.target.value }) },
        h('option', { value: '', text: t('acceptance.all'), selected: kind === '' }),
        ['delivery', 'sro', 'pbo'].map((k) => h('option', { value: k, text: t(`kind.${k}`), selected: k === kind })))),
    ),
  );

  const subjects = await api(withQuery('/acceptance/subjects', { delivery: scope, kind }));
  const charts = [];
  const counts = STATES.map((s) => subjects.filter((x) => x.state === s).length);
  const byState = section(t('acceptance.by_state'));
  byState.dataset.block = 'by-state';
  root.append(byState);
  charts.push(chart(byState, {
    type: 'bar',
    data: { labels: STATES.map((s) => t(`state.${s}`)), datasets: [{ label: t('col.count'), data: counts, backgroundColor: STATE_COLOURS }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  }, 'states'));

  const history = h('div', { class: 'subject-history' });
  root.append(
    section(
      t('acceptance.subjects'),
      table(
        [
          { label: t('col.subject'), value: (s) => subjectName(s.subject) },
          { label: t('delivery'), value: (s) => s.subject.delivery_id, num: true },
          { label: t('col.state'), value: (s) => h('span', { class: `state state-${s.state}`, text: t(`state.${s.state}`) }) },
          { label: 'v', value: (s) => s.version, num: true },
          { label: t('col.in_operation'), value: (s) => fmtDate(s.in_operation_on) },
        ],
        subjects,
        { onRow: (s) => showHistory(history, s.subject) },
      ),
      history,
    ),
  );

  root.append(await reservations(subjects));
  root.append(await latestChanges());
  return () => charts.forEach((c) => c.destroy());
}

async function reservations(subjects) {
  const block = section(t('acceptance.reservations'));
  block.dataset.block = 'reservations';
  const withOpen = subjects.filter((s) => s.state === 'accepted_with_reservations').slice(0, RESERVATION_SUBJECTS);
  const statuses = await Promise.all(withOpen.map((s) => api(withQuery('/acceptance/subject', subjectQuery(s.subject)))));
  const open = statuses
    .flatMap((status) => status.reservations.filter((r) => !r.lifted_at).map((r) => ({ ...r, subject: status.subject })))
    .sort((a, b) => a.due_on.localeCompare(b.due_on));
  const now = today();
  block.append(
    open.length
      ? table(
          [
            { label: t('col.due_on'), value: (r) => [fmtDate(r.due_on), r.due_on < now ? h('span', { class: 'badge late', text: t('overdue') }) : null] },
            { label: t('col.subject'), value: (r) => subjectName(r.subject) },
            { label: t('col.object'), value: (r) => r.object_code },
            { label: t('col.reason'), value: (r) => r.reason },
          ],
          open,
          { rowClass: (r) => (r.due_on < now ? 'overdue' : null) },
        )
      : note(t('acceptance.reservations.none')),
  );
  return block;
}

/** The last entries of the audit trail: pages through /changes from the start (it only pages forwards). */
async function latestChanges() {
  let cursor = 0;
  let latest = [];
  for (let page = 0; page < CHANGE_PAGES; page += 1) {
    const answer = await api(`/acceptance/changes?cursor=${cursor}&limit=1000`);
    latest = [...latest, ...answer.entries].slice(-LATEST);
    cursor = answer.next_cursor;
    if (!answer.more) break;
  }
  const block = section(t('acceptance.audit'));
  block.dataset.block = 'audit';
  block.append(auditTable([...latest].reverse(), true));
  return block;
}

function auditTable(entries, withSubject) {
  return table(
    [
      { label: '#', value: (e) => e.seq, num: true },
      { label: t('col.when'), value: (e) => fmtDateTime(e.at) },
      withSubject ? { label: t('col.subject'), value: (e) => subjectName(e.subject) } : null,
      { label: t('col.action'), value: (e) => t(`action.${e.action}`) },
      { label: t('col.from'), value: (e) => (e.from ? t(`state.${e.from}`) : '—') },
      { label: t('col.to'), value: (e) => (e.to ? t(`state.${e.to}`) : '—') },
      { label: t('col.who'), value: (e) => e.actor?.organisation ?? '—' },
      { label: '', value: (e) => payloadText(e.payload) },
    ].filter(Boolean),
    entries,
  );
}

function payloadText(payload) {
  if (!payload) return '';
  const parts = [];
  for (const r of payload.reservations ?? []) parts.push(`${r.object_code}: ${r.reason} (${fmtDate(r.due_on)})`);
  for (const r of payload.reasons ?? []) parts.push(r);
  if (payload.date) parts.push(fmtDate(payload.date));
  if (payload.reservation != null) parts.push(`#${payload.reservation}`);
  return parts.join(' · ');
}

async function showHistory(target, subject) {
  target.replaceChildren(note(t('loading')));
  try {
    const entries = await api(withQuery('/acceptance/audit', subjectQuery(subject)));
    target.replaceChildren(h('h3', { text: t('acceptance.subject', { subject: subjectName(subject) }) }), auditTable(entries, false));
    target.scrollIntoView({ block: 'nearest' });
  } catch (error) {
    target.replaceChildren(note(t('error', { message: error.message }), 'error'));
  }
}

