// The network map: MapLibre GL on a plain background (no tiles, no fonts, nothing from the internet unless a
// tile URL was configured), fed with the delivery's GeoJSON layers for the current view only: on every
// `moveend` each visible layer is asked for `bbox` = the view and at most `limit` features, which the server
// simplifies to the view's scale; requests still running for the previous view are cancelled. Layers too dense
// for the zoom (addresses, nodes) wait until the reader zooms in. Defects are clickable markers with their
// message; chambers, poles and boxes (no geometry of their own in GraceTHD) stand on their node, placed by the
// server; SRO zones are coloured by their project phase (GET /stats?by=sro,phase) or acceptance state
// (GET /api/acceptance/subjects); commune and department outlines are the extent (convex hull) of their SRO
// zones, the only boundaries our own data holds.

import * as maplibregl from '/assets/vendor/maplibre-gl/maplibre-gl.mjs';
import { api, withQuery } from './api.js';
import { h } from './dom.js';
import { fmtInt, message, t, tOr } from './i18n.js';

const EMPTY = { type: 'FeatureCollection', features: [] };

/** The layers asked from the server, bottom to top: the zoom below which they are not asked for, and how many
 * features one view may bring. The zooms keep a view's answer to a few megabytes on a region-scale store: at
 * zoom 12 a view is about 25 km wide (a few thousand paths, each with its thirty attributes), at 14 about 6 km
 * (a few thousand addresses). */
export const LAYERS = [
  { table: 't_znro', minzoom: 0, limit: 1000 },
  { table: 't_zsro', minzoom: 0, limit: 5000 },
  { table: 't_zpbo', minzoom: 13, limit: 5000 },
  { table: 't_cheminement', minzoom: 12, limit: 10000 },
  { table: 't_cableline', minzoom: 12, limit: 10000 },
  { table: 't_noeud', minzoom: 14, limit: 10000 },
  { table: 't_ptech', minzoom: 14, limit: 10000 },
  { table: 't_ebp', minzoom: 14, limit: 10000 },
  { table: 't_adresse', minzoom: 14, limit: 10000 },
];

const PHASE_COLOURS = { PRE: '#ced4da', DIA: '#adb5bd', AVP: '#74c0fc', PRO: '#4dabf7', ACT: '#228be6', EXE: '#f59f00', TVX: '#e8590c', REC: '#2f9e44', MCO: '#087f5b' };
const STATE_COLOURS = { OK: '#2f9e44', NC: '#f08c00', HS: '#e03131', AB: '#868e96' };
const NODE_COLOURS = { PT: '#5f3dc4', ST: '#c2255c', SF: '#495057' };
/** Technical points by physical type: chamber, pole (appui), façade anchor, building. */
const PTECH_COLOURS = { C: '#8d6e3f', A: '#2b8a3e', F: '#0c8599', I: '#495057' };
/** Boxes by logical type: splice closure, branching point, building foot box, termination. */
const EBP_COLOURS = { BPE: '#7048e8', PBO: '#f76707', BPI: '#d6336c', PTO: '#adb5bd', DTI: '#ced4da' };
const ADDRESS_COLOURS = { CI: '#ced4da', SI: '#74c0fc', EC: '#f59f00', DE: '#2f9e44', AB: '#868e96' };
const ACCEPTANCE_COLOURS = {
  received: '#adb5bd', under_inspection: '#74c0fc', accepted: '#40c057', accepted_with_reservations: '#f59f00',
  reservations_lifted: '#94d82d', in_operation: '#2b8a3e', rejected: '#e03131',
};
const SEVERITY_COLOURS = { critical: '#862e9c', error: '#e03131', warning: '#f08c00', info: '#1c7ed6' };
const PROJECT_PALETTE = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#f59f00', '#0c8599', '#c2255c'];
const OTHER = '#868e96';

/** A MapLibre `match` on `property` giving `colours[value]`, grey for anything else. */
function match(property, colours) {
  const pairs = Object.entries(colours).flat();
  return pairs.length ? ['match', ['coalesce', ['get', property], ''], ...pairs, OTHER] : OTHER;
}

/** Convex hull (Andrew's monotone chain) of `points`, closed, or null under three distinct points. */
export function hull(points) {
  const p = [...new Map(points.map((q) => [`${q[0]},${q[1]}`, q])).values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return null;
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list) => {
    const out = [];
    for (const q of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], q) <= 0) out.pop();
      out.push(q);
    }
    out.pop();
    return out;
  };
  const ring = [...half(p), ...half([...p].reverse())];
  return [...ring, ring[0]];
}

function coordinates(geometry) {
  const out = [];
  const walk = (c) => (typeof c[0] === 'number' ? out.push(c) : c.forEach(walk));
  walk(geometry.coordinates);
  return out;
}

function extent(points) {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]];
}

/** The outline features: one per commune (zs_r2_code) and per department (zs_r1_code) of the SRO zones. */
export function outlines(zones) {
  const groups = new Map();
  for (const zone of zones.features) {
    const points = coordinates(zone.geometry);
    for (const [kind, code] of [['commune', zone.properties.zs_r2_code], ['department', zone.properties.zs_r1_code]]) {
      if (!code) continue;
      const k = `${kind}:${code}`;
      if (!groups.has(k)) groups.set(k, { kind, code, points: [] });
      groups.get(k).points.push(...points);
    }
  }
  const features = [];
  for (const { kind, code, points } of groups.values()) {
    const ring = hull(points);
    if (ring) features.push({ type: 'Feature', properties: { kind, code }, geometry: { type: 'LineString', coordinates: ring } });
  }
  return { type: 'FeatureCollection', features };
}

export class NetworkMap {
  /** `options`: `deliveryId`; `tiles`, an XYZ raster URL template or ''; `compact`, a map without its side panel
   * (zones, paths and defects only) for the delivery report. */
  constructor(container, options) {
    this.container = container;
    this.options = options;
    this.colourBy = 'phase';
    this.enabled = new Set(options.compact ? ['t_znro', 't_zsro', 't_cheminement', 'defects'] : [...LAYERS.map((l) => l.table), 'outlines', 'defects']);
    this.status = new Map();
    this.controller = null;
    this.zsro = EMPTY;
    this.defects = EMPTY;
    this.defectTotal = 0;
    this.zoneInfo = new Map();
    /** The features last shown per layer, for the search among what is in view. */
    this.loaded = new Map();
  }

  async start() {
    const id = this.options.deliveryId;
    const [layers, subjects, phases, defects] = await Promise.all([
      api(`/deliveries/${id}/layers`),
      api(`/acceptance/subjects?kind=sro&delivery=${id}`),
      api(`/deliveries/${id}/stats?by=sro,phase`),
      api(`/deliveries/${id}/diagnostics?format=geojson&limit=5000`),
    ]);
    this.available = new Set(layers.filter((l) => l.features > 0).map((l) => l.name));
    const phaseOf = new Map(phases.rows.map((r) => [r.sro, r.phase]));
    const stateOf = new Map(subjects.map((s) => [s.subject.code, s.state]));
    for (const code of new Set([...phaseOf.keys(), ...stateOf.keys()])) {
      this.zoneInfo.set(code, { phase: phaseOf.get(code) ?? null, acceptance: stateOf.get(code) ?? null });
    }
    const projectPhases = [...new Set([...phaseOf.values()].filter(Boolean))].sort();
    this.projectColours = Object.fromEntries(projectPhases.map((p, i) => [p, PROJECT_PALETTE[i % PROJECT_PALETTE.length]]));
    this.defects = defects;
    this.defectTotal = defects.total;

    const boxes = layers.filter((l) => l.bbox).map((l) => l.bbox);
    const bounds = boxes.length
      ? [[Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1]))], [Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))]]
      : [[-5.2, 47.2], [-1.0, 48.9]];
    this.build(bounds);
    this.map.on('moveend', () => this.refresh());
    await new Promise((resolve) => this.map.once('load', resolve));
    this.addLayers();
    this.map.getSource('defects').setData(this.defects);
    const zones = await api(`/deliveries/${id}/layers/t_zsro?limit=5000`).catch(() => EMPTY);
    this.zsro = this.withZoneInfo(zones);
    this.map.getSource('outlines').setData(outlines(this.zsro));
    await this.refresh();
    this.container.dataset.mapReady = 'true';
    return this;
  }

  build(bounds) {
    const style = {
      version: 8,
      sources: {},
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } }],
    };
    if (this.options.tiles) {
      style.sources.tiles = { type: 'raster', tiles: [this.options.tiles], tileSize: 256 };
      style.layers.push({ id: 'tiles', type: 'raster', source: 'tiles', paint: { 'raster-opacity': 0.6 } });
    }
    this.map = new maplibregl.Map({
      container: this.container,
      style,
      bounds,
      fitBoundsOptions: { padding: 30 },
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    // A debugging handle (and the browser tests' way to the map): the MapLibre map of the page.
    window.thd = { map: this.map };
    this.map.on('click', (e) => this.click(e));
  }

  /** The zone's project phase and acceptance state copied into its properties, for styling. */
  withZoneInfo(collection) {
    for (const f of collection.features) {
      const info = this.zoneInfo.get(f.properties.zs_code);
      f.properties.project_phase = info?.phase ?? '';
      f.properties.acceptance = info?.acceptance ?? '';
    }
    return collection;
  }

  addLayers() {
    const m = this.map;
    for (const { table } of LAYERS) m.addSource(table, { type: 'geojson', data: EMPTY });
    m.addSource('outlines', { type: 'geojson', data: EMPTY });
    m.addSource('defects', { type: 'geojson', data: EMPTY });
    m.addLayer({ id: 't_znro', source: 't_znro', type: 'line', paint: { 'line-color': '#343a40', 'line-width': 2.5 } });
    m.addLayer({ id: 't_zsro-fill', source: 't_zsro', type: 'fill', paint: { 'fill-color': this.zoneColour(), 'fill-opacity': 0.18 } });
    m.addLayer({ id: 't_zsro', source: 't_zsro', type: 'line', paint: { 'line-color': this.zoneColour(), 'line-width': 1.5 } });
    m.addLayer({ id: 't_zpbo', source: 't_zpbo', type: 'line', paint: { 'line-color': '#868e96', 'line-width': 0.6 } });
    m.addLayer({ id: 'outlines', source: 'outlines', type: 'line', paint: { 'line-color': '#212529', 'line-width': ['match', ['get', 'kind'], 'department', 3, 1.5], 'line-dasharray': [3, 2] } });
    m.addLayer({ id: 't_cheminement', source: 't_cheminement', type: 'line', paint: { 'line-color': this.pathColour(), 'line-width': 2 } });
    m.addLayer({ id: 't_cableline', source: 't_cableline', type: 'line', paint: { 'line-color': '#ae3ec9', 'line-width': 1, 'line-offset': 2 } });
    m.addLayer({ id: 't_adresse', source: 't_adresse', type: 'circle', paint: { 'circle-radius': 2.5, 'circle-color': match('ad_ietat', ADDRESS_COLOURS) } });
    m.addLayer({ id: 't_noeud', source: 't_noeud', type: 'circle', filter: ['!=', ['get', 'nd_type'], 'SF'], paint: { 'circle-radius': 3.5, 'circle-color': match('nd_type', NODE_COLOURS), 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
    m.addLayer({ id: 't_ptech', source: 't_ptech', type: 'circle', paint: { 'circle-radius': 5, 'circle-color': match('pt_typephy', PTECH_COLOURS), 'circle-stroke-color': '#212529', 'circle-stroke-width': 1 } });
    m.addLayer({ id: 't_ebp', source: 't_ebp', type: 'circle', paint: { 'circle-radius': 3, 'circle-color': match('bp_typelog', EBP_COLOURS), 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
    m.addLayer({ id: 'defects', source: 'defects', type: 'circle', paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 3, 14, 7], 'circle-color': match('severity', SEVERITY_COLOURS), 'circle-stroke-color': '#fff', 'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 8, 1, 14, 2] } });
    for (const layer of ['t_zsro', 't_cheminement', 't_cableline', 't_noeud', 't_ptech', 't_ebp', 't_adresse', 'defects']) {
      m.on('mouseenter', layer, () => { m.getCanvas().style.cursor = 'pointer'; });
      m.on('mouseleave', layer, () => { m.getCanvas().style.cursor = ''; });
    }
    this.applyVisibility();
  }

  zoneColour() {
    return this.colourBy === 'phase' ? match('project_phase', this.projectColours) : match('acceptance', ACCEPTANCE_COLOURS);
  }

  pathColour() {
    return this.colourBy === 'phase' ? match('cm_statut', PHASE_COLOURS) : match('cm_etat', STATE_COLOURS);
  }

  setColourBy(mode) {
    this.colourBy = mode;
    this.map.setPaintProperty('t_zsro-fill', 'fill-color', this.zoneColour());
    this.map.setPaintProperty('t_zsro', 'line-color', this.zoneColour());
    this.map.setPaintProperty('t_cheminement', 'line-color', this.pathColour());
  }

  setEnabled(layer, on) {
    if (on) this.enabled.add(layer);
    else this.enabled.delete(layer);
    this.applyVisibility();
    this.refresh();
  }

  applyVisibility() {
    const ids = { t_zsro: ['t_zsro', 't_zsro-fill'] };
    for (const layer of [...LAYERS.map((l) => l.table), 'outlines', 'defects']) {
      for (const id of ids[layer] ?? [layer]) {
        this.map.setLayoutProperty(id, 'visibility', this.enabled.has(layer) ? 'visible' : 'none');
      }
    }
  }

  /** Asks every visible layer for what is in view; a newer view cancels the requests of an older one. */
  async refresh() {
    if (!this.map.getSource('t_znro')) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const b = this.map.getBounds();
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    const bbox = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85, 85), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -85, 85)]
      .map((v) => v.toFixed(6))
      .join(',');
    const zoom = this.map.getZoom();
    const id = this.options.deliveryId;
    await Promise.all(
      LAYERS.map(async ({ table, minzoom, limit }) => {
        const source = this.map.getSource(table);
        this.loaded.delete(table);
        if (!this.enabled.has(table) || !this.available.has(table)) {
          source.setData(EMPTY);
          this.status.set(table, null);
          return;
        }
        if (zoom < minzoom) {
          source.setData(EMPTY);
          this.status.set(table, { zoom: true });
          return;
        }
        try {
          const data = await api(withQuery(`/deliveries/${id}/layers/${table}`, { bbox, limit }), { signal: controller.signal });
          if (controller.signal.aborted) return;
          source.setData(table === 't_zsro' ? this.withZoneInfo(data) : data);
          this.loaded.set(table, data.features);
          this.status.set(table, { shown: data.features.length, matched: data.matched, truncated: data.truncated });
        } catch (error) {
          if (error.name === 'AbortError') return;
          this.status.set(table, { error: error.message });
        }
      }),
    );
    if (!controller.signal.aborted) this.onStatus?.(this.status);
  }

  click(e) {
    const order = ['defects', 't_ebp', 't_ptech', 't_noeud', 't_adresse', 't_cableline', 't_cheminement', 't_zsro-fill'];
    const layers = order.filter((l) => this.map.getLayer(l) && this.map.getLayoutProperty(l, 'visibility') !== 'none');
    const [feature] = this.map.queryRenderedFeatures(e.point, { layers });
    if (!feature) return;
    const body = feature.layer.id === 'defects' ? defectPopup(feature.properties) : objectPopup(feature);
    new maplibregl.Popup({ maxWidth: '360px' }).setLngLat(e.lngLat).setDOMContent(body).addTo(this.map);
  }

  /** Moves to `query`: a commune (INSEE code: the extent of its SRO zones), a zone code, or the code of an
   * object among the features loaded for the view. Returns whether anything was found. */
  search(query) {
    const q = query.trim().toUpperCase();
    if (!q) return false;
    const zones = this.zsro.features.filter((f) => f.properties.zs_r2_code === q || f.properties.zs_code === q);
    if (zones.length) {
      this.map.fitBounds(extent(zones.flatMap((f) => coordinates(f.geometry))), { padding: 40, maxZoom: 16 });
      return true;
    }
    for (const { table } of LAYERS) {
      const found = (this.loaded.get(table) ?? []).find((f) => Object.entries(f.properties).some(([k, v]) => k.endsWith('_code') && String(v).toUpperCase() === q)
        || String(f.properties.ad_commune ?? '').toUpperCase() === q);
      if (found) {
        const points = coordinates(found.geometry);
        this.map.fitBounds(extent(points), { padding: 80, maxZoom: 18 });
        return true;
      }
    }
    return false;
  }

  /** Codes to offer in the search box: the communes and the SRO zones of the delivery. */
  suggestions() {
    const communes = new Set(this.zsro.features.map((f) => f.properties.zs_r2_code).filter(Boolean));
    const zones = this.zsro.features.map((f) => f.properties.zs_code).filter(Boolean);
    return [...[...communes].sort(), ...zones.sort()];
  }

  destroy() {
    this.controller?.abort();
    this.map?.remove();
    if (window.thd?.map === this.map) delete window.thd;
  }
}

function rows(pairs) {
  return h('table', { class: 'popup' }, pairs.filter(([, v]) => v != null && v !== '').map(([k, v]) => h('tr', {}, h('th', { text: k }), h('td', { text: String(v) }))));
}

function defectPopup(p) {
  return h(
    'div',
    { class: 'defect-popup', dataset: { rule: p.rule } },
    h('p', { class: `sev sev-${p.severity}`, text: t(`sev.${p.severity}`) }),
    h('p', { class: 'message', text: message(p) }),
    rows([[t('popup.rule'), p.rule], [t('popup.table'), p.table], [t('popup.object'), p.object], [t('popup.value'), p.value]]),
  );
}

function objectPopup(feature) {
  const p = feature.properties;
  const code = Object.entries(p).find(([k]) => k.endsWith('_code'));
  const wanted = ['nd_type', 'pt_nd_code', 'pt_typephy', 'pt_nature', 'pt_etiquet', 'bp_pt_code', 'bp_typelog', 'bp_typephy', 'bp_etiquet', 'cm_statut', 'cm_etat', 'cm_avct', 'cm_typ_imp', 'cl_cb_code', 'cl_long', 'ad_ietat', 'ad_numero', 'ad_nomvoie', 'ad_commune', 'ad_insee', 'zs_refpm', 'zs_r2_code', 'project_phase', 'acceptance'];
  const label = (k, v) => {
    if (k === 'ad_ietat' || k === 'nd_type') return tOr(`legend.${v}`, v);
    if (k === 'pt_typephy') return tOr(`legend.pt.${v}`, v);
    if (k === 'bp_typelog') return tOr(`legend.bp.${v}`, v);
    if (k === 'acceptance') return v ? t(`state.${v}`) : null;
    return v;
  };
  return h(
    'div',
    { class: 'object-popup' },
    h('p', { class: 'code', text: code ? code[1] : feature.layer.id }),
    rows(wanted.filter((k) => k in p).map((k) => [k, label(k, p[k])])),
  );
}

/** The legend entries of a layer in the panel: colour and label. */
export function legend(layer, map) {
  const entries = {
    t_zsro: () => (map.colourBy === 'phase' ? Object.entries(map.projectColours).map(([k, c]) => [c, k]) : Object.entries(ACCEPTANCE_COLOURS).map(([k, c]) => [c, t(`state.${k}`)])),
    t_cheminement: () => Object.entries(map.colourBy === 'phase' ? PHASE_COLOURS : STATE_COLOURS).map(([k, c]) => [c, k]),
    t_noeud: () => Object.entries(NODE_COLOURS).filter(([k]) => k !== 'SF').map(([k, c]) => [c, t(`legend.${k}`)]),
    t_ptech: () => Object.entries(PTECH_COLOURS).map(([k, c]) => [c, t(`legend.pt.${k}`)]),
    t_ebp: () => Object.entries(EBP_COLOURS).map(([k, c]) => [c, t(`legend.bp.${k}`)]),
    t_adresse: () => Object.entries(ADDRESS_COLOURS).map(([k, c]) => [c, `${k} ${t(`legend.${k}`)}`]),
    defects: () => Object.entries(SEVERITY_COLOURS).map(([k, c]) => [c, t(`sev.${k}`)]),
  }[layer];
  return entries ? h('ul', { class: 'legend' }, entries().map(([colour, text]) => h('li', {}, h('span', { class: 'swatch', style: `background:${colour}` }), text))) : null;
}

export function statusText(status) {
  if (!status) return '';
  if (status.zoom) return t('map.zoom');
  if (status.error) return t('error', { message: status.error });
  return status.truncated ? t('map.truncated', { n: fmtInt(status.shown), m: fmtInt(status.matched) }) : t('map.shown', { n: fmtInt(status.shown) });
}
