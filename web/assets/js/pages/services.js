// Services: the operator's digital-services catalogue (GET /api/services...). The services and who subscribes,
// usage over the years with its growth, a map of the communes coloured by how many services they can use (their
// own subscriptions and their EPCI's), and, for one commune, both halves of the operator's work: the services it
// uses and its fibre rollout in the chosen delivery (plugs and raccordables from GET /stats?by=commune).
//
// The catalogue knows communes by INSEE code; the map places each at its centre (from the project's reference
// table of communes) and, where the chosen delivery covers it, also fills the extent of its SRO zones.

import * as maplibregl from '/assets/vendor/maplibre-gl/maplibre-gl.mjs';
import { api, withQuery } from '../api.js';
import { chart } from '../charts.js';
import { h, kpi, note, section, table } from '../dom.js';
import { fmtEur, fmtInt, getLang, t, tOr } from '../i18n.js';
import { outlines } from '../netmap.js';

/** Colours of 0, 1, 2... services, light to dark; the last one for anything above. */
const COUNT_COLOURS = ['#e9ecef', '#d0ebff', '#a5d8ff', '#74c0fc', '#4dabf7', '#339af0', '#228be6', '#1c7ed6', '#1971c2', '#1864ab'];
const YEAR_COLOURS = ['#adb5bd', '#1f6fb5', '#2b8a3e', '#e8590c'];

const countColour = (n) => COUNT_COLOURS[Math.min(n, COUNT_COLOURS.length - 1)];
const serviceName = (s) => (getLang() === 'fr' ? s.name_fr : s.name);
const label = (row) => (getLang() === 'fr' ? row.label_fr : row.label_en);

/** `×4.2` for a ratio of 4.2, `—` without one. */
function fmtGrowth(ratio) {
  if (ratio == null) return '—';
  return `×${new Intl.NumberFormat(getLang() === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ratio)}`;
}

/** The usage rows as one table row per indicator: its figure for each year and the latest growth. */
function usageTable(rows, years) {
  const byIndicator = new Map();
  for (const r of rows) {
    if (!byIndicator.has(r.indicator)) byIndicator.set(r.indicator, { first: r, years: new Map(), growth: null });
    const entry = byIndicator.get(r.indicator);
    entry.years.set(r.year, r.value);
    if (r.growth != null) entry.growth = r.growth;
  }
  return table(
    [
      { label: t('svc.indicator'), value: (e) => label(e.first) },
      ...years.map((y) => ({ label: String(y), value: (e) => fmtInt(e.years.get(y)), num: true })),
      { label: t('svc.growth'), value: (e) => fmtGrowth(e.growth), num: true },
    ],
    [...byIndicator.values()],
  );
}

/** One bar per indicator and year; a logarithmic scale by default, the indicators spanning five orders of
 * magnitude (a few hundred e-signature workflows, hundreds of thousands of archives). */
function usageChart(parent, rows, years, testId) {
  const indicators = [...new Map(rows.map((r) => [r.indicator, r])).values()];
  const box = h('div');
  parent.append(box);
  const log = h('input', {
    type: 'checkbox',
    checked: true,
    onchange: (e) => {
      usage.options.scales.x.type = e.target.checked ? 'logarithmic' : 'linear';
      usage.update();
    },
  });
  box.append(h('label', { class: 'toolbar' }, log, ` ${t('svc.log')}`));
  const usage = chart(
    box,
    {
      type: 'bar',
      data: {
        labels: indicators.map(label),
        datasets: years.map((year, i) => ({
          id: String(year),
          label: String(year),
          data: indicators.map((ind) => rows.find((r) => r.indicator === ind.indicator && r.year === year)?.value ?? null),
          backgroundColor: YEAR_COLOURS[i % YEAR_COLOURS.length],
        })),
      },
      options: { indexAxis: 'y', scales: { x: { type: 'logarithmic' } } },
    },
    testId,
  );
  return usage;
}

/** A section of the page, named for the browser tests (`data-block`). */
function block(name, title, ...children) {
  const el = section(title, ...children);
  el.dataset.block = name;
  return el;
}

/** The commune outlines of the chosen delivery (extent of its SRO zones per commune), as rings by INSEE code. */
async function deliveryCommunes(delivery) {
  if (!delivery) return new Map();
  const zones = await api(`/deliveries/${delivery.id}/layers/t_zsro?limit=5000`).catch(() => null);
  if (!zones) return new Map();
  return new Map(outlines(zones).features.filter((f) => f.properties.kind === 'commune').map((f) => [f.properties.code, f.geometry.coordinates]));
}

function communeMap(container, communes, rings, onPick) {
  const located = communes.filter((c) => c.lon != null && c.lat != null);
  const points = {
    type: 'FeatureCollection',
    features: located.map((c) => ({
      type: 'Feature',
      properties: { insee: c.insee, name: c.name, services: c.services, colour: countColour(c.services) },
      geometry: { type: 'Point', coordinates: [c.lon, c.lat] },
    })),
  };
  const byCode = new Map(communes.map((c) => [c.insee, c]));
  const areas = {
    type: 'FeatureCollection',
    features: [...rings].filter(([code]) => byCode.has(code)).map(([code, ring]) => ({
      type: 'Feature',
      properties: { insee: code, colour: countColour(byCode.get(code).services) },
      geometry: { type: 'Polygon', coordinates: [ring] },
    })),
  };
  const lons = located.map((c) => c.lon);
  const lats = located.map((c) => c.lat);
  const bounds = located.length ? [[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]] : [[-5.2, 47.2], [-1.0, 48.9]];
  const map = new maplibregl.Map({
    container,
    style: { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } }] },
    bounds,
    fitBoundsOptions: { padding: 30 },
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.on('load', () => {
    map.addSource('areas', { type: 'geojson', data: areas });
    map.addSource('communes', { type: 'geojson', data: points });
    map.addLayer({ id: 'areas', source: 'areas', type: 'fill', paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': 0.7, 'fill-outline-color': '#495057' } });
    map.addLayer({
      id: 'communes',
      source: 'communes',
      type: 'circle',
      paint: { 'circle-color': ['get', 'colour'], 'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 6, 11, 14], 'circle-stroke-color': '#343a40', 'circle-stroke-width': 1 },
    });
    for (const layer of ['communes', 'areas']) {
      map.on('click', layer, (e) => onPick(e.features[0].properties.insee));
      map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
    }
    container.dataset.mapReady = 'true';
  });
  window.thd = { map };
  return map;
}

function mapLegend(max) {
  const counts = [...Array(Math.min(max, COUNT_COLOURS.length - 1) + 1).keys()];
  return h(
    'ul',
    { class: 'legend' },
    counts.map((n) => h('li', {}, h('span', { class: 'swatch', style: `background:${countColour(n)}` }), t('svc.count', { n }))),
  );
}

/** The panel of one commune: its services (and through whom) and its fibre rollout in the chosen delivery. */
async function communePanel(panel, insee, delivery, fibre) {
  panel.replaceChildren(h('p', { class: 'note', text: '…' }));
  const detail = await api(`/services/communes/${encodeURIComponent(insee)}`);
  const rows = await fibre();
  const fibreRow = rows.get(insee);
  const via = (ids) => ids.map((id) => (id === detail.commune.id ? t('svc.itself') : detail.epci?.name ?? id)).join(', ');
  panel.replaceChildren(
    h('h3', { 'data-commune': insee, text: `${detail.commune.name} (${insee})` }),
    detail.epci ? h('p', { class: 'meta', text: t('svc.epci', { name: detail.epci.name }) }) : null,
    h('h4', { text: t('svc.fibre') }),
    !delivery
      ? note(t('delivery.none'))
      : fibreRow
        ? h(
            'div',
            { class: 'kpis', 'data-fibre': insee },
            kpi(t('col.plugs'), fmtInt(fibreRow.plugs), 'commune-plugs'),
            kpi(t('col.raccordable'), fmtInt(fibreRow.raccordable), 'commune-raccordable'),
          )
        : note(t('svc.fibre.none', { id: delivery.id })),
    h('h4', { text: t('svc.used', { n: detail.services.length }) }),
    detail.services.length
      ? table(
          [
            { label: t('svc.service'), value: (s) => serviceName(s) },
            { label: t('svc.through'), value: (s) => via(s.through) },
          ],
          detail.services,
        )
      : note(t('svc.used.none')),
  );
}

export async function render(root, ctx) {
  root.append(h('h1', { text: t('svc.title') }));
  const [catalogue, usage, communesDoc, funding, bodies] = await Promise.all([
    api('/services'),
    api('/services/usage'),
    api('/services/communes'),
    api('/services/funding'),
    api('/services/bodies'),
  ]);
  if (!ctx.alive()) return null;
  const services = catalogue.services;
  const communes = communesDoc.communes;
  const years = [...new Set(usage.usage.map((r) => r.year))].sort();
  const charts = [];
  const byKind = (kind) => bodies.bodies.filter((b) => b.kind === kind).length;

  root.append(
    h(
      'div',
      { class: 'kpis' },
      kpi(t('svc.kpi.services'), fmtInt(services.length), 'services'),
      kpi(t('svc.kpi.bodies'), fmtInt(bodies.bodies.length), 'bodies'),
      kpi(t('svc.kpi.epci'), fmtInt(byKind('epci')), 'epci'),
      kpi(t('svc.kpi.communes'), fmtInt(communes.length), 'communes'),
      kpi(t('svc.kpi.using'), fmtInt(communes.filter((c) => c.services > 0).length), 'using'),
    ),
  );

  // The map and the commune panel.
  let fibreRows = null;
  const fibre = async () => {
    if (!ctx.delivery) return new Map();
    fibreRows ??= api(`/deliveries/${ctx.delivery.id}/stats?by=commune`)
      .then((s) => new Map(s.rows.map((r) => [r.commune, r])))
      .catch(() => new Map());
    return fibreRows;
  };
  const panel = h('div', { class: 'commune-panel' }, note(t('svc.pick')));
  const pick = (insee) => {
    if (!ctx.alive()) return;
    history.replaceState(null, '', `#/services/${insee}`);
    communePanel(panel, insee, ctx.delivery, fibre).catch((e) => panel.replaceChildren(note(e.message, 'error')));
  };
  const search = h('input', { type: 'search', list: 'svc-communes', placeholder: t('svc.search'), 'aria-label': t('svc.search') });
  const searchForm = h(
    'form',
    {
      class: 'search',
      onsubmit: (e) => {
        e.preventDefault();
        const q = search.value.trim().toLowerCase();
        const found = communes.find((c) => c.insee === q || c.name.toLowerCase() === q || `${c.name} (${c.insee})`.toLowerCase() === q);
        if (found) pick(found.insee);
        else panel.replaceChildren(note(t('map.search.none', { q: search.value }), 'error'));
      },
    },
    search,
    h('button', { type: 'submit', text: t('map.search.go') }),
    h('datalist', { id: 'svc-communes' }, communes.map((c) => h('option', { value: `${c.name} (${c.insee})` }))),
  );
  const container = h('div', { class: 'map small', id: 'services-map' });
  const maxCount = Math.max(0, ...communes.map((c) => c.services));
  root.append(
    block(
      'communes',
      t('svc.map'),
      h('p', { class: 'meta', text: t('svc.map.note') }),
      h('div', { class: 'services-layout' }, h('div', {}, container, mapLegend(maxCount)), h('aside', { class: 'map-panel' }, searchForm, panel)),
    ),
  );
  const rings = await deliveryCommunes(ctx.delivery);
  if (!ctx.alive()) return null;
  const map = communeMap(container, communes, rings, pick);
  if (ctx.args[0]) pick(ctx.args[0]);

  // The catalogue, and one service's subscribers and usage.
  const detail = h('div', { class: 'service-detail' });
  const showService = async (id) => {
    const doc = await api(`/services/${encodeURIComponent(id)}`);
    if (!ctx.alive()) return;
    detail.replaceChildren(
      h('h3', { 'data-service': id, text: serviceName(doc.service) }),
      h('p', { text: doc.service.description }),
      doc.usage.length ? usageTable(doc.usage, years) : null,
      h('h4', { text: t('svc.subscribers', { n: doc.subscribers.length }) }),
      doc.subscribers.length
        ? h('p', { class: 'subscribers', text: doc.subscribers.map((b) => b.name).join(' · ') })
        : note(t('svc.subscribers.none')),
    );
  };
  root.append(
    block(
      'catalogue',
      t('svc.catalogue'),
      table(
        [
          { label: t('svc.service'), value: (s) => serviceName(s) },
          { label: t('svc.category'), value: (s) => tOr(`svc.cat.${s.category}`, s.category) },
          { label: t('svc.offer'), value: (s) => tOr(`svc.offer.${s.offer}`, s.offer) },
          { label: t('svc.since'), value: (s) => s.since ?? '—', num: true },
          { label: t('svc.subscribers.col'), value: (s) => fmtInt(s.subscribers), num: true },
        ],
        services,
        { onRow: (s) => showService(s.id).catch((e) => detail.replaceChildren(note(e.message, 'error'))) },
      ),
      detail,
    ),
  );

  // Usage over the years.
  const usageBlock = block('usage', t('svc.usage'));
  root.append(usageBlock);
  charts.push(usageChart(usageBlock, usage.usage, years, 'usage'));
  usageBlock.append(usageTable(usage.usage, years));

  // Funding: the bands and a calculator.
  const answer = h('p', { class: 'contribution', 'data-contribution': '' });
  const population = h('input', { type: 'number', name: 'population', min: 0, step: 1, placeholder: t('svc.population'), 'aria-label': t('svc.population') });
  const year = h('input', { type: 'number', name: 'year', min: 2000, max: 2100, value: Math.max(...funding.bands.map((b) => b.tariff_from)), 'aria-label': t('col.year') });
  const calculator = h(
    'form',
    {
      class: 'toolbar',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const c = await api(withQuery('/services/contribution', { population: population.value, year: year.value }));
          answer.dataset.contribution = String(c.annual_eur);
          answer.textContent = t('svc.contribution.answer', { eur: fmtEur(c.annual_eur), band: c.band.label, year: c.year });
        } catch (error) {
          answer.textContent = error.message;
        }
      },
    },
    h('label', {}, `${t('svc.population')} `, population),
    h('label', {}, `${t('col.year')} `, year),
    h('button', { type: 'submit', text: t('svc.contribution.go') }),
  );
  root.append(
    block(
      'funding',
      t('svc.funding'),
      h('p', { class: 'meta', text: t('svc.funding.note') }),
      table(
        [
          { label: t('svc.tariff'), value: (b) => (b.tariff_from === b.tariff_to ? b.tariff_from : `${b.tariff_from}–${b.tariff_to}`) },
          { label: t('svc.band'), value: (b) => b.label },
          { label: t('svc.population'), value: (b) => `${fmtInt(b.min_population)} – ${b.max_population == null ? '…' : fmtInt(b.max_population)}`, num: true },
          { label: t('svc.annual'), value: (b) => fmtEur(b.annual_eur), num: true },
          { label: t('svc.published'), value: (b) => (b.published ? t('svc.yes') : t('svc.assumed')) },
        ],
        funding.bands,
      ),
      calculator,
      answer,
    ),
  );

  return () => {
    for (const c of charts) c.destroy();
    map.remove();
  };
}
