// The dashboard's shell: navigation between the five pages (the part of the URL after #), the delivery the
// figures are about (kept in localStorage), the language switch and the token field. Each page module exports
// `render(root, ctx)`, which may return a function to call when the page is left (timers, the map).

import { api, getToken, setToken } from './api.js';
import { h, note } from './dom.js';
import { getLang, setLang, t, fmtDate } from './i18n.js';
import * as rollout from './pages/rollout.js';
import * as mapPage from './pages/map.js';
import * as deliveries from './pages/deliveries.js';
import * as acceptance from './pages/acceptance.js';
import * as services from './pages/services.js';

const PAGES = { rollout, map: mapPage, deliveries, acceptance, services };
const DELIVERY_KEY = 'thd.delivery';
const TILES_KEY = 'thd.tiles';

let list = [];
let leave = null;
let generation = 0;

/** `#/page/arg?key=value` as `{ page, args, query }`. */
function route() {
  const [path, search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [page, ...args] = path.split('/').filter(Boolean);
  return { page: PAGES[page] ? page : 'rollout', args, query: new URLSearchParams(search) };
}

function selected() {
  const wanted = Number(localStorage.getItem(DELIVERY_KEY));
  return list.find((d) => d.id === wanted) ?? list[list.length - 1] ?? null;
}

function selectDelivery(id) {
  localStorage.setItem(DELIVERY_KEY, String(id));
  renderShell();
  renderPage();
}

async function loadDeliveries() {
  list = await api('/deliveries');
  renderShell();
}

function renderShell() {
  document.title = t('app.title');
  const current = route().page;
  document.getElementById('nav').replaceChildren(
    ...Object.keys(PAGES).map((page) =>
      h('a', { href: `#/${page}`, class: page === current ? 'active' : null, text: t(`nav.${page}`) }),
    ),
  );
  document.getElementById('delivery-label').textContent = t('delivery');
  const select = document.getElementById('delivery');
  const chosen = selected();
  select.replaceChildren(
    ...[...list].reverse().map((d) =>
      h('option', {
        value: d.id,
        selected: d.id === chosen?.id,
        text: t('delivery.option', { id: d.id, zone: d.zone ?? '—', date: fmtDate(d.received_at ?? d.imported_at) }),
      }),
    ),
  );
  select.onchange = () => selectDelivery(Number(select.value));
  document.getElementById('token-summary').textContent = getToken() ? t('token.set') : t('token');
  document.getElementById('token').placeholder = t('token.placeholder');
  document.getElementById('token-save').textContent = t('token.save');
  document.getElementById('token-clear').textContent = t('token.clear');
  document.getElementById('tiles-label').textContent = t('tiles');
  document.getElementById('lang').textContent = t('lang.switch');
}

/** Shows `error` in the page (never on the console: the browser tests count console errors as failures). */
export function showError(root, error) {
  const text = error?.isAuth ? t('error.auth', { message: error.message }) : t('error', { message: error?.message ?? error });
  root.append(note(text, 'error'));
}

async function renderPage() {
  leave?.();
  leave = null;
  const mine = ++generation;
  const { page, args, query } = route();
  const root = document.getElementById('page');
  const content = h('div', { class: `page page-${page}`, 'data-page': page });
  root.replaceChildren(content);
  const ctx = {
    delivery: selected(),
    deliveries: list,
    args,
    query,
    tiles: localStorage.getItem(TILES_KEY) || '',
    alive: () => mine === generation,
    refresh: loadDeliveries,
    selectDelivery,
  };
  try {
    const cleanup = await PAGES[page].render(content, ctx);
    if (mine === generation) leave = cleanup ?? null;
    else cleanup?.();
  } catch (error) {
    if (mine === generation) showError(content, error);
  } finally {
    if (mine === generation) content.dataset.ready = 'true';
  }
}

function wireTools() {
  const form = document.getElementById('token-form');
  const tokenInput = document.getElementById('token');
  const tiles = document.getElementById('tiles');
  tiles.value = localStorage.getItem(TILES_KEY) || '';
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setToken(tokenInput.value);
    tokenInput.value = '';
    if (tiles.value) localStorage.setItem(TILES_KEY, tiles.value.trim());
    else localStorage.removeItem(TILES_KEY);
    document.getElementById('token-box').open = false;
    await start();
  });
  document.getElementById('token-clear').addEventListener('click', async () => {
    setToken('');
    await start();
  });
  document.getElementById('lang').addEventListener('click', () => {
    setLang(getLang() === 'fr' ? 'en' : 'fr');
    renderShell();
    renderPage();
  });
  window.addEventListener('hashchange', () => {
    renderShell();
    renderPage();
  });
}

async function start() {
  try {
    await loadDeliveries();
  } catch (error) {
    list = [];
    renderShell();
    const root = document.getElementById('page');
    root.replaceChildren();
    showError(root, error);
    return;
  }
  await renderPage();
}

setLang(getLang());
wireTools();
start();
