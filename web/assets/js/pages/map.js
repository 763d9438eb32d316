// Map: the network of the chosen delivery (zones, paths, cables, nodes, addresses by raccordabilité), its
// defects as clickable markers, commune and department outlines, a search by commune or code.

import { h, note } from '../dom.js';
import { fmtInt, t } from '../i18n.js';
import { LAYERS, NetworkMap, legend, statusText } from '../netmap.js';

export async function render(root, ctx) {
  if (!ctx.delivery) {
    root.append(h('h1', { text: t('nav.map') }), note(t('delivery.none')));
    return null;
  }
  const panel = h('aside', { class: 'map-panel' });
  const container = h('div', { class: 'map', id: 'map' });
  root.append(h('div', { class: 'map-layout' }, panel, container));
  const map = new NetworkMap(container, { deliveryId: ctx.delivery.id, tiles: ctx.tiles });
  await map.start();
  if (!ctx.alive()) {
    map.destroy();
    return null;
  }

  const statusCells = new Map();
  const layerRow = (layer) => {
    const status = h('span', { class: 'layer-status', dataset: { layer } });
    statusCells.set(layer, status);
    const legendBox = h('div', { class: 'legend-box' }, legend(layer, map));
    return h(
      'li',
      {},
      h(
        'label',
        {},
        h('input', { type: 'checkbox', checked: map.enabled.has(layer), onchange: (e) => map.setEnabled(layer, e.target.checked) }),
        ` ${t(`layer.${layer}`)} `,
        status,
      ),
      legendBox,
    );
  };
  const layerList = h('ul', { class: 'layers' }, [...LAYERS.map((l) => l.table)].reverse().filter((l) => map.available.has(l)).map(layerRow), layerRow('outlines'), layerRow('defects'));
  const redrawLegends = () => {
    for (const item of layerList.querySelectorAll('li')) {
      const layer = item.querySelector('.layer-status').dataset.layer;
      item.querySelector('.legend-box').replaceChildren(legend(layer, map) ?? '');
    }
  };
  const colour = h(
    'select',
    { onchange: (e) => { map.setColourBy(e.target.value); redrawLegends(); } },
    h('option', { value: 'phase', text: t('map.colour.phase') }),
    h('option', { value: 'state', text: t('map.colour.state') }),
  );
  const searchResult = h('p', { class: 'search-result' });
  const searchInput = h('input', { type: 'search', list: 'map-codes', placeholder: t('map.search'), 'aria-label': t('map.search') });
  const search = h(
    'form',
    {
      class: 'search',
      onsubmit: (e) => {
        e.preventDefault();
        const found = map.search(searchInput.value);
        searchResult.textContent = found ? '' : t('map.search.none', { q: searchInput.value });
      },
    },
    searchInput,
    h('button', { type: 'submit', text: t('map.search.go') }),
    h('datalist', { id: 'map-codes' }, map.suggestions().map((code) => h('option', { value: code }))),
  );
  const defects = h('p', { class: 'defect-count', text: t('map.defects.count', { n: fmtInt(map.defects.features.length), m: fmtInt(map.defectTotal) }) });
  panel.append(search, searchResult, h('label', { class: 'colour-by' }, `${t('map.colour')} `, colour), h('h3', { text: t('map.layers') }), layerList, defects);

  map.onStatus = (status) => {
    for (const [layer, cell] of statusCells) cell.textContent = statusText(status.get(layer));
  };
  map.onStatus(map.status);
  return () => map.destroy();
}
