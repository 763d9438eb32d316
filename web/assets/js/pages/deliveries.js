// Deliveries: the list (GET /deliveries), an upload with its progress (POST /uploads, then GET /uploads/{job}
// until done) leading to the delivery's report: diagnostics by severity (GET /deliveries/{id}), by category and
// rule, a page of them, the defects on a map, and the changes since the previous delivery of the zone
// (GET /deliveries/{id}/diff).

import { api, upload, withQuery } from '../api.js';
import { chart, COLOURS } from '../charts.js';
import { h, note, section, table } from '../dom.js';
import { fmtDate, fmtDateTime, fmtInt, message, t } from '../i18n.js';
import { NetworkMap } from '../netmap.js';

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const PAGE = 50;

export async function render(root, ctx) {
  if (ctx.args[0]) return report(root, ctx, Number(ctx.args[0]));
  root.append(h('h1', { text: t('deliveries.title') }), uploadForm(ctx));
  root.append(
    ctx.deliveries.length
      ? section(
          t('deliveries.title'),
          table(
            [
              { label: t('col.id'), value: (d) => d.id, num: true },
              { label: t('col.zone'), value: (d) => d.zone ?? '—' },
              { label: t('col.contractor'), value: (d) => d.contractor ?? '—' },
              { label: t('col.label'), value: (d) => d.label ?? '—' },
              { label: t('col.version'), value: (d) => d.version },
              { label: t('col.phase'), value: (d) => d.phase ?? '—' },
              { label: t('col.received'), value: (d) => fmtDate(d.received_at) },
              { label: t('col.imported'), value: (d) => fmtDateTime(d.imported_at) },
              { label: t('col.rows'), value: (d) => fmtInt(d.rows), num: true },
              { label: t('col.previous'), value: (d) => d.previous_id ?? '—', num: true },
            ],
            [...ctx.deliveries].reverse(),
            { onRow: (d) => { location.hash = `#/deliveries/${d.id}`; } },
          ),
        )
      : note(t('delivery.none')),
  );
  return null;
}

function uploadForm(ctx) {
  const file = h('input', { type: 'file', accept: '.zip,.gpkg', name: 'file' });
  const zone = h('input', { type: 'text', name: 'zone', value: ctx.delivery?.zone ?? '' });
  const contractor = h('input', { type: 'text', name: 'contractor' });
  const label = h('input', { type: 'text', name: 'label' });
  const bar = h('progress', { max: 1, value: 0, hidden: true });
  const status = h('p', { class: 'upload-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', text: t('upload.go') });

  const form = h(
    'form',
    {
      class: 'upload',
      onsubmit: async (e) => {
        e.preventDefault();
        const chosen = file.files[0];
        if (!chosen) {
          status.textContent = t('upload.nofile');
          return;
        }
        button.disabled = true;
        bar.hidden = false;
        status.className = 'upload-status';
        try {
          const job = await upload(chosen, { zone: zone.value, contractor: contractor.value, label: label.value }, (sent, total) => {
            bar.value = sent / total;
            status.textContent = t('upload.sending', { p: Math.round((100 * sent) / total) });
          });
          const done = await follow(job, (j) => {
            bar.value = j.bytes_to_read ? j.bytes_read / j.bytes_to_read : 0;
            status.textContent = t(`upload.stage.${j.stage}`);
            status.dataset.stage = j.stage;
          });
          if (done.stage === 'failed') throw new Error(done.error);
          status.textContent = done.already_present ? t('upload.already', { id: done.delivery_id }) : t('upload.done', { id: done.delivery_id, n: fmtInt(done.rows) });
          await ctx.refresh();
          ctx.selectDelivery(done.delivery_id);
          location.hash = `#/deliveries/${done.delivery_id}`;
        } catch (error) {
          status.className = 'upload-status error';
          status.textContent = error.isAuth ? t('upload.token') : t('error', { message: error.message });
        } finally {
          button.disabled = false;
        }
      },
    },
    h('label', {}, file),
    h('label', {}, `${t('upload.zone')} `, zone),
    h('label', {}, `${t('upload.contractor')} `, contractor),
    h('label', {}, `${t('upload.label')} `, label),
    button,
    bar,
    status,
  );
  return section(t('upload.title'), form);
}

/** Polls the job every half second until it is done or failed. It goes on if the page is left: the upload is
 * not cancelled by leaving, and its end selects the new delivery. */
function follow(job, onStage) {
  return new Promise((resolve, reject) => {
    const poll = async (current) => {
      onStage(current);
      if (current.stage === 'done' || current.stage === 'failed') {
        resolve(current);
        return;
      }
      setTimeout(() => api(`/uploads/${current.id}`).then(poll, reject), 500);
    };
    poll(job);
  });
}

async function report(root, ctx, id) {
  const detail = await api(`/deliveries/${id}`);
  const summary = detail.summary;
  const diagnostics = detail.diagnostics;
  root.append(
    h('h1', { text: t('report.title', { id }) }),
    h('p', { class: 'meta', text: [summary.zone, summary.contractor, summary.label, summary.version, summary.phase].filter(Boolean).join(' · ') }),
  );
  const charts = [];
  let map = null;
  const cleanup = () => {
    charts.forEach((c) => c.destroy());
    map?.destroy();
  };

  const overview = section(t('report.total', { n: fmtInt(diagnostics.total) }));
  overview.dataset.block = 'report';
  root.append(overview);
  if (diagnostics.total === 0) {
    overview.append(note(t('report.clean')));
  } else {
    const byCategory = await categories(id, diagnostics.by_rule);
    const grid = h('div', { class: 'two' });
    overview.append(grid);
    const severityBox = h('div', {}, h('h3', { text: t('report.severity') }));
    const categoryBox = h('div', {}, h('h3', { text: t('report.category') }));
    grid.append(severityBox, categoryBox);
    const severities = SEVERITIES.filter((s) => diagnostics.by_severity[s]);
    charts.push(chart(severityBox, {
      type: 'bar',
      data: { labels: severities.map((s) => t(`sev.${s}`)), datasets: [{ label: t('col.count'), data: severities.map((s) => diagnostics.by_severity[s]), backgroundColor: COLOURS.realised }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    }, 'severity'));
    const sorted = [...byCategory.entries()].sort((a, b) => b[1] - a[1]);
    charts.push(chart(categoryBox, {
      type: 'bar',
      data: { labels: sorted.map(([c]) => t(`cat.${c}`)), datasets: [{ label: t('col.count'), data: sorted.map(([, n]) => n), backgroundColor: COLOURS.plan }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } } },
    }, 'category'));
    overview.append(
      h('h3', { text: t('report.rule') }),
      table(
        [
          { label: t('col.rule'), value: ([rule]) => rule },
          { label: t('col.count'), value: ([, n]) => fmtInt(n), num: true },
        ],
        Object.entries(diagnostics.by_rule).sort((a, b) => b[1] - a[1]),
      ),
    );

    const mapBlock = section(t('report.map'));
    const container = h('div', { class: 'map small', id: 'report-map' });
    mapBlock.append(container);
    root.append(mapBlock, diagnosticList(id));
    map = new NetworkMap(container, { deliveryId: id, tiles: ctx.tiles, compact: true });
    await map.start();
  }

  root.append(diffBlock(summary));
  if (!ctx.alive()) {
    cleanup();
    return null;
  }
  return cleanup;
}

/** Diagnostics by category. The delivery's summary counts them by rule, and every diagnostic of a rule has the
 * rule's category: one diagnostic of each rule tells its category, so a few small requests give exact counts
 * whatever the size of the report. */
async function categories(id, byRule) {
  const counts = new Map();
  await Promise.all(
    Object.entries(byRule).map(async ([rule, n]) => {
      const page = await api(withQuery(`/deliveries/${id}/diagnostics`, { rule, limit: 1 }));
      const category = page.items[0]?.category ?? '?';
      counts.set(category, (counts.get(category) ?? 0) + n);
    }),
  );
  return counts;
}

function diagnosticList(id) {
  const block = section(t('report.list'));
  const body = h('div');
  const severity = h(
    'select',
    { onchange: () => load(0) },
    h('option', { value: '', text: '—' }),
    SEVERITIES.map((s) => h('option', { value: s, text: `≥ ${t(`sev.${s}`)}` })),
  );
  block.append(h('div', { class: 'toolbar' }, h('label', {}, `${t('col.severity')} `, severity)), body);
  const load = async (offset) => {
    const page = await api(withQuery(`/deliveries/${id}/diagnostics`, { limit: PAGE, offset, min_severity: severity.value }));
    body.replaceChildren(
      table(
        [
          { label: t('col.severity'), value: (d) => h('span', { class: `sev sev-${d.severity}`, text: t(`sev.${d.severity}`) }) },
          { label: t('col.category'), value: (d) => t(`cat.${d.category}`) },
          { label: t('col.rule'), value: (d) => d.rule },
          { label: t('col.table'), value: (d) => d.table ?? '—' },
          { label: t('col.object'), value: (d) => d.object ?? '—' },
          { label: t('col.message'), value: (d) => message(d) },
        ],
        page.items,
      ),
      h(
        'div',
        { class: 'pager' },
        h('button', { type: 'button', disabled: offset === 0, text: t('report.prev'), onclick: () => load(Math.max(0, offset - PAGE)) }),
        ` ${t('report.page', { from: page.total ? offset + 1 : 0, to: offset + page.items.length, n: fmtInt(page.total) })} `,
        h('button', { type: 'button', disabled: offset + PAGE >= page.total, text: t('report.more'), onclick: () => load(offset + PAGE) }),
      ),
    );
  };
  load(0).catch((error) => body.replaceChildren(note(t('error', { message: error.message }), 'error')));
  return block;
}

/** The changes since the previous delivery, filled in when they arrive: a diff loads both deliveries, which
 * takes a while on a large zone, and the rest of the report need not wait for it. */
function diffBlock(summary) {
  if (summary.previous_id == null) return section(t('diff.title.none'), note(t('diff.none')));
  const block = section(t('diff.title', { id: summary.previous_id }));
  block.dataset.block = 'diff';
  const body = h('div', {}, note(t('loading')));
  block.append(body);
  api(`/deliveries/${summary.id}/diff`)
    .then((diff) => body.replaceChildren(diffTable(diff)))
    .catch((error) => body.replaceChildren(note(t('error', { message: error.message }), 'error')))
    .finally(() => { block.dataset.loaded = 'true'; });
  return block;
}

function diffTable(diff) {
  const changed = diff.tables.filter((d) => d.added.length || d.removed.length || d.changed.length);
  if (!changed.length) return note(t('diff.same'));
  const shown = (list) => list.slice(0, 20).map((k) => (typeof k === 'string' ? k : k.key) || '∅').join(', ') + (list.length > 20 ? ' …' : '');
  return table(
    [
      { label: t('col.table'), value: (d) => d.table },
      { label: t('col.added'), value: (d) => fmtInt(d.added.length), num: true },
      { label: t('col.removed'), value: (d) => fmtInt(d.removed.length), num: true },
      { label: t('col.changed'), value: (d) => fmtInt(d.changed.length), num: true },
      {
        label: t('diff.changes'),
        value: (d) => h('details', {}, h('summary', { text: shown([...d.changed, ...d.added, ...d.removed]).slice(0, 60) }),
          h('ul', { class: 'changes' }, d.changed.slice(0, 100).map((c) => h('li', { text: `${c.key}: ${describe(c)}` })),
            d.added.slice(0, 100).map((k) => h('li', { text: `+ ${k || '∅'}` })),
            d.removed.slice(0, 100).map((k) => h('li', { text: `− ${k}` })))),
      },
    ],
    changed,
  );
}

function describe(change) {
  const parts = change.attributes.map((a) => `${a.column} ${a.old ?? '∅'} → ${a.new ?? '∅'}`);
  if (change.geometry) parts.push(`geom ${change.geometry.change}`);
  return parts.join('; ');
}
