// Rollout: plugs made raccordable month by month against the plan (cumulative, at each year's end) and the
// forecast at the recent pace (GET /rollout); plugs by department and phase (GET /stats); cost per plug by
// phase and department (GET /cost); SRO zones past their due date and what holds them back.

import { api, withQuery } from '../api.js';
import { chart, COLOURS } from '../charts.js';
import { h, kpi, note, section, table } from '../dom.js';
import { fmtDate, fmtEur, fmtInt, fmtPct, t } from '../i18n.js';

const key = (year, month) => `${year}-${String(month).padStart(2, '0')}`;

/** Every month from the first to the last one any series touches, as `YYYY-MM` labels. */
function monthAxis(report) {
  const [asOfYear, asOfMonth] = report.as_of.split('-').map(Number);
  const years = report.years.map((y) => y.year);
  const starts = [asOfYear * 12 + asOfMonth - 1, ...report.months.map((m) => m.month.year * 12 + m.month.month - 1)];
  const ends = [...starts];
  if (years.length) {
    starts.push(Math.min(...years) * 12);
    ends.push(Math.max(...years) * 12 + 11);
  }
  for (const [year] of report.forecast.year_ends) ends.push(year * 12 + 11);
  const labels = [];
  for (let i = Math.min(...starts); i <= Math.max(...ends); i += 1) labels.push(key(Math.floor(i / 12), (i % 12) + 1));
  return labels;
}

/** The four series of the chart over `labels`; null where a series has no point (plan and forecast are
 * year-end figures, joined by lines). */
export function series(report) {
  const labels = monthAxis(report);
  const asOf = report.as_of.slice(0, 7);
  const monthly = new Map(report.months.map((m) => [key(m.month.year, m.month.month), m]));
  let cumulative = 0;
  const realised = labels.map((label) => {
    if (label > asOf) return null;
    cumulative = monthly.get(label)?.cumulative ?? cumulative;
    return cumulative;
  });
  const plan = new Map(report.years.filter((y) => y.phase === null).map((y) => [key(y.year, 12), y.planned_cumulative]));
  const forecast = new Map(report.forecast.year_ends.map(([year, n]) => [key(year, 12), n]));
  if (forecast.size) forecast.set(asOf, realised[labels.indexOf(asOf)]);
  return {
    labels,
    monthly: labels.map((l) => monthly.get(l)?.raccordable ?? null),
    realised,
    plan: labels.map((l) => plan.get(l) ?? null),
    forecast: labels.map((l) => forecast.get(l) ?? null),
  };
}

function reason(r) {
  if (r.Zone) return t(`reason.${r.Zone}`);
  if (r.PboNotBuilt) return t('reason.pbo', { n: fmtInt(r.PboNotBuilt.plugs) });
  if (r.NotDeployed) return t('reason.deployed', { n: fmtInt(r.NotDeployed.plugs) });
  return JSON.stringify(r);
}

export async function render(root, ctx) {
  root.append(h('h1', { text: t('rollout.title') }));
  if (!ctx.delivery) {
    root.append(note(t('delivery.none')));
    return null;
  }
  const id = ctx.delivery.id;
  const asOf = ctx.query.get('as_of') || '';
  const [report, stats, cost] = await Promise.all([
    api(withQuery(`/deliveries/${id}/rollout`, { as_of: asOf })),
    api(`/deliveries/${id}/stats?by=department,phase`),
    api(`/deliveries/${id}/cost?by=phase,department`),
  ]);
  const charts = [];

  const dateInput = h('input', {
    type: 'date',
    value: report.as_of,
    onchange: (e) => {
      location.hash = e.target.value ? `#/rollout?as_of=${e.target.value}` : '#/rollout';
    },
  });
  const f = report.forecast;
  root.append(
    h('div', { class: 'toolbar' }, h('label', {}, `${t('rollout.as_of')} `, dateInput)),
    h(
      'div',
      { class: 'kpis' },
      kpi(t('rollout.target'), fmtInt(report.target), 'target'),
      kpi(t('rollout.raccordable'), fmtInt(report.raccordable), 'raccordable'),
      kpi(t('rollout.share'), fmtPct(report.raccordable, report.target), 'share'),
      kpi(t('rollout.pace', { n: f.window_months }), t('rollout.pace.value', { n: fmtInt(f.pace_per_month) }), 'pace'),
      kpi(
        t('rollout.completion'),
        f.completion ? key(f.completion.year, f.completion.month) : t('rollout.completion.never'),
        'completion',
      ),
      kpi(t('rollout.undated'), fmtInt(report.undated), 'undated'),
    ),
  );

  const s = series(report);
  const main = section(t('rollout.chart'));
  root.append(main);
  const log = h('input', {
    type: 'checkbox',
    onchange: (e) => {
      rolloutChart.options.scales.y.type = e.target.checked ? 'logarithmic' : 'linear';
      rolloutChart.update();
    },
  });
  main.append(h('label', { class: 'toolbar' }, log, ` ${t('rollout.log')}`));
  const rolloutChart = chart(
    main,
    {
      data: {
        labels: s.labels,
        datasets: [
          { id: 'monthly', type: 'bar', label: t('series.monthly'), data: s.monthly, backgroundColor: COLOURS.monthly, order: 4 },
          { id: 'realised', type: 'line', label: t('series.realised'), data: s.realised, borderColor: COLOURS.realised, backgroundColor: COLOURS.realised, pointRadius: 0, order: 1 },
          { id: 'plan', type: 'line', label: t('series.plan'), data: s.plan, borderColor: COLOURS.plan, backgroundColor: COLOURS.plan, spanGaps: true, pointRadius: 3, order: 2 },
          { id: 'forecast', type: 'line', label: t('series.forecast'), data: s.forecast, borderColor: COLOURS.forecast, backgroundColor: COLOURS.forecast, borderDash: [6, 4], spanGaps: true, pointRadius: 3, order: 3 },
        ],
      },
      options: { scales: { y: { type: 'linear', beginAtZero: true } } },
    },
    'rollout',
  );
  charts.push(rolloutChart);

  const phaseName = (p) => (p === null ? t('phase.all') : p);
  root.append(
    section(
      t('rollout.years'),
      table(
        [
          { label: t('col.year'), value: (y) => y.year },
          { label: t('col.phase'), value: (y) => phaseName(y.phase) },
          { label: t('col.planned'), value: (y) => fmtInt(y.planned), num: true },
          { label: t('col.realised'), value: (y) => fmtInt(y.realised), num: true },
          { label: t('col.planned_cum'), value: (y) => fmtInt(y.planned_cumulative), num: true },
          { label: t('col.realised_cum'), value: (y) => fmtInt(y.realised_cumulative), num: true },
        ],
        report.years,
        { rowClass: (y) => (y.phase === null ? 'total' : null) },
      ),
    ),
  );

  const label = (r) => `${r.department ?? '—'} · ${r.phase ?? t('phase.none')}`;
  const statsBlock = section(t('stats.title'));
  root.append(statsBlock);
  charts.push(
    chart(
      statsBlock,
      {
        type: 'bar',
        data: {
          labels: stats.rows.map(label),
          datasets: [
            { id: 'plugs', label: t('col.plugs'), data: stats.rows.map((r) => r.plugs), backgroundColor: COLOURS.plugs },
            { id: 'raccordable', label: t('col.raccordable'), data: stats.rows.map((r) => r.raccordable), backgroundColor: COLOURS.raccordable },
          ],
        },
        options: { scales: { y: { beginAtZero: true } } },
      },
      'stats',
    ),
  );
  statsBlock.append(
    table(
      [
        { label: t('col.department'), value: (r) => r.department ?? '—' },
        { label: t('col.phase'), value: (r) => r.phase ?? t('phase.none') },
        { label: t('col.plugs'), value: (r) => fmtInt(r.plugs), num: true },
        { label: t('col.premises'), value: (r) => fmtInt(r.premises), num: true },
        { label: t('col.raccordable'), value: (r) => fmtInt(r.raccordable), num: true },
        { label: '%', value: (r) => fmtPct(r.raccordable, r.plugs), num: true },
      ],
      [...stats.rows, { department: t('total'), phase: '', ...stats.total }],
    ),
  );

  root.append(
    section(
      t('cost.title'),
      table(
        [
          { label: t('col.phase'), value: (r) => r.phase ?? t('phase.none') },
          { label: t('col.department'), value: (r) => r.department ?? '—' },
          { label: t('col.plugs'), value: (r) => fmtInt(r.plugs), num: true },
          { label: t('col.works'), value: (r) => fmtEur(r.works_eur), num: true },
          { label: t('col.total'), value: (r) => fmtEur(r.total_eur), num: true },
          { label: t('col.per_plug'), value: (r) => fmtEur(r.per_plug_eur), num: true },
        ],
        [...cost.rows, { ...cost.total, phase: t('total'), department: '' }],
      ),
    ),
  );

  const late = section(t('late.title'));
  late.dataset.block = 'late-zones';
  late.append(
    report.late_zones.length
      ? table(
          [
            { label: t('col.sro'), value: (z) => z.sro },
            { label: t('col.phase'), value: (z) => z.phase ?? t('phase.none') },
            { label: t('col.due'), value: (z) => fmtDate(z.due) },
            { label: t('col.plugs'), value: (z) => fmtInt(z.plugs), num: true },
            { label: t('col.raccordable'), value: (z) => fmtInt(z.raccordable), num: true },
            { label: t('col.reasons'), value: (z) => h('ul', { class: 'reasons' }, z.reasons.map((r) => h('li', { text: reason(r) }))) },
          ],
          report.late_zones,
        )
      : note(t('late.none')),
  );
  root.append(late);

  return () => charts.forEach((c) => c.destroy());
}
