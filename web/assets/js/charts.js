// Chart.js (window.Chart, vendored) with the dashboard's colours and French or English number formats.

import { getLang } from './i18n.js';

export const COLOURS = {
  monthly: '#9ec5e8',
  realised: '#1f6fb5',
  plan: '#d9480f',
  forecast: '#2b8a3e',
  plugs: '#adb5bd',
  raccordable: '#1f6fb5',
};

/** A chart in a fresh canvas appended to `parent`; `destroy()` it when the page is left. */
export function chart(parent, config, testId) {
  const canvas = document.createElement('canvas');
  canvas.dataset.chart = testId;
  const box = document.createElement('div');
  box.className = 'chart';
  box.append(canvas);
  parent.append(box);
  const locale = getLang() === 'fr' ? 'fr-FR' : 'en-GB';
  return new window.Chart(canvas, {
    ...config,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      locale,
      interaction: { mode: 'index', intersect: false },
      ...config.options,
    },
  });
}
