// The dashboard in headless Chromium: each page loads without a console error or a failed request, the map draws
// network features, clicking a defect shows its message, an upload produces a report, the rollout chart has the
// plan line, acceptance shows zone states, reservations and the audit trail, the services page maps the communes
// and shows one commune's services beside its fibre, English labels are one click away.
// Screenshots of each page go to $THD_SCREENSHOTS. Run by scripts/browser_test.sh, which prepares the server:
//   THD_URL            the server (API + dashboard), started with --public
//   THD_TOKEN          a token allowed to upload
//   THD_UPLOAD         a delivery (.zip) to upload
//   THD_RESERVATION    the object code of an open reservation the script created
//   THD_SCREENSHOTS    where to write the PNG files
//   THD_CHROMIUM       the browser (default /usr/bin/chromium)

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const base = env('THD_URL');
const shots = env('THD_SCREENSHOTS');
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: env('THD_CHROMIUM', '/usr/bin/chromium'),
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
  ],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'fr-FR' });
const page = await context.newPage();
page.setDefaultTimeout(30_000);

// Anything the page reports as an error, and any request that failed or answered an error status, fails the run.
const problems = [];
page.on('console', (m) => {
  if (m.type() === 'error') problems.push(`console: ${m.text()}`);
});
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('requestfailed', (r) => {
  // The map cancels the requests of a view the reader has already left: expected, not a failure.
  if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
});
page.on('response', (r) => {
  if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
});

const results = [];
async function check(name, body) {
  const before = problems.length;
  const started = Date.now();
  try {
    await body();
    if (problems.length > before) throw new Error(problems.slice(before).join('\n  '));
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${error.message}`);
    await page.screenshot({ path: join(shots, `failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function open(hash) {
  await page.goto(`${base}/${hash}`);
  const page_ = hash.replace(/^#\//, '').split(/[/?]/)[0] || 'rollout';
  await page.waitForSelector(`[data-page="${page_}"][data-ready="true"]`);
}

/** Waits until the map has drawn what it was given (MapLibre's `idle`), then returns `fn(map)` from the page. */
async function whenMapIdle(fn, arg) {
  return page.evaluate(
    async ([source, argument]) => {
      const { map } = window.thd;
      if (!map.loaded()) await new Promise((resolve) => map.once('idle', resolve));
      return new Function('map', 'arg', `return (${source})(map, arg);`)(map, argument);
    },
    [fn.toString(), arg],
  );
}

await check('rollout page: plan line, monthly figures, late zones', async () => {
  await open('#/rollout');
  const chart = await page.evaluate(() => {
    const canvas = document.querySelector('canvas[data-chart="rollout"]');
    const c = window.Chart.getChart(canvas);
    return c.data.datasets.map((d) => ({ id: d.id, label: d.label, points: d.data.filter((v) => v != null).length }));
  });
  const plan = chart.find((d) => d.id === 'plan');
  assert(plan && plan.points >= 2, `no plan line in the rollout chart: ${JSON.stringify(chart)}`);
  assert(plan.label === 'Plan (cumul)', `French label expected, got ${plan.label}`);
  assert(chart.find((d) => d.id === 'realised').points > 0, 'no realised line');
  const late = await page.locator('[data-block="late-zones"] tbody tr').count();
  assert(late > 0, 'no late zone listed');
  await page.screenshot({ path: join(shots, 'rollout.png'), fullPage: true });
});

await check('map page: network features drawn, a defect shows its message on click, search moves the map, chambers and boxes at street zoom', async () => {
  const layerRequests = [];
  const listen = (r) => {
    const u = new URL(r.url());
    if (/\/layers\/t_/.test(u.pathname)) layerRequests.push(u);
  };
  page.on('request', listen);
  await open('#/map');
  await page.waitForSelector('#map[data-map-ready="true"]');
  const drawn = await whenMapIdle((map) => ({
    paths: map.queryRenderedFeatures({ layers: ['t_cheminement'] }).length,
    zones: map.queryRenderedFeatures({ layers: ['t_zsro-fill'] }).length,
    defects: map.queryRenderedFeatures({ layers: ['defects'] }).length,
  }));
  assert(drawn.paths > 0 && drawn.zones > 0, `nothing drawn: ${JSON.stringify(drawn)}`);
  assert(drawn.defects > 0, 'no defect marker drawn');
  // Only what is in view: every layer asked with the view's box and a limit, but for the one request of the
  // whole SRO zone layer (outlines and search).
  page.off('request', listen);
  const whole = layerRequests.filter((u) => !u.searchParams.has('bbox'));
  assert(whole.length === 1 && whole[0].pathname.endsWith('/t_zsro'), `layers asked without a box: ${whole.join(', ')}`);
  assert(layerRequests.every((u) => Number(u.searchParams.get('limit')) > 0), 'a layer asked without a limit');
  assert(layerRequests.some((u) => u.pathname.endsWith('/t_cheminement')), 'paths never asked');

  // The pixel of a defect drawn alone (no other marker within 20 px), and its message.
  const target = await whenMapIdle((map) => {
    const features = map.queryRenderedFeatures({ layers: ['defects'] });
    const points = features.map((f) => ({ f, p: map.project(f.geometry.coordinates) }));
    const alone = points.find(({ p }) => points.filter((q) => Math.hypot(q.p.x - p.x, q.p.y - p.y) < 20).length === 1
      && p.x > 40 && p.y > 40 && p.x < map.getCanvas().clientWidth - 40 && p.y < map.getCanvas().clientHeight - 40);
    return alone ? { x: alone.p.x, y: alone.p.y, message: alone.f.properties.message_fr, rule: alone.f.properties.rule } : null;
  });
  assert(target, 'no isolated defect marker to click');
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.click(box.x + target.x, box.y + target.y);
  const popup = page.locator('.maplibregl-popup .defect-popup');
  await popup.waitFor();
  const text = await popup.innerText();
  assert(text.includes(target.message), `popup "${text}" lacks "${target.message}"`);
  assert(text.includes(target.rule), `popup lacks the rule ${target.rule}`);
  await page.screenshot({ path: join(shots, 'map.png') });

  const commune = await page.locator('#map-codes option').first().getAttribute('value');
  const before = await page.evaluate(() => window.thd.map.getCenter().toArray());
  await page.fill('.search input', commune);
  await page.press('.search input', 'Enter');
  await page.waitForFunction((b) => {
    const c = window.thd.map.getCenter().toArray();
    return Math.abs(c[0] - b[0]) + Math.abs(c[1] - b[1]) > 1e-4;
  }, before);
  assert((await page.locator('.search-result').innerText()) === '', 'the search reported nothing found');
  const after = await whenMapIdle((map) => map.queryRenderedFeatures({ layers: ['t_cheminement'] }).length);
  assert(after > 0, 'nothing drawn after the search moved the map');

  // Chambers, poles and boxes appear from zoom 14, standing on their nodes: zoom in on the start of a path.
  const start = await whenMapIdle((map) => map.queryRenderedFeatures({ layers: ['t_cheminement'] })[0].geometry.coordinates[0]);
  await page.evaluate((c) => window.thd.map.jumpTo({ center: c, zoom: 15.5 }), start);
  await page.waitForFunction(() => ['t_ptech', 't_ebp'].every((s) => window.thd.map.querySourceFeatures(s).length > 0));
  const equipment = await whenMapIdle((map) => ({
    ptech: map.queryRenderedFeatures({ layers: ['t_ptech'] }).length,
    ebp: map.queryRenderedFeatures({ layers: ['t_ebp'] }).length,
  }));
  assert(equipment.ptech > 0 && equipment.ebp > 0, `no chamber, pole or box drawn at zoom 15.5: ${JSON.stringify(equipment)}`);
  await page.screenshot({ path: join(shots, 'map-street.png') });
});

await check('deliveries page: the list, then an upload with a token produces a report', async () => {
  await open('#/deliveries');
  const listed = await page.locator('table.grid tbody tr').count();
  const deliveries = await (await fetch(`${base}/api/deliveries`)).json();
  assert(listed === deliveries.length, `${listed} rows for ${deliveries.length} deliveries`);
  await page.screenshot({ path: join(shots, 'deliveries.png'), fullPage: true });

  // Saving the token renders the page again: mark the current one, so that the form filled is the new page's.
  await page.evaluate(() => document.querySelector('[data-page]').setAttribute('data-stale', ''));
  await page.click('#token-box summary');
  await page.fill('#token', env('THD_TOKEN'));
  await page.click('#token-save');
  await page.waitForSelector('[data-page="deliveries"][data-ready="true"]:not([data-stale])');
  await page.setInputFiles('form.upload input[type=file]', env('THD_UPLOAD'));
  await page.fill('form.upload input[name=zone]', 'TEST-UPLOAD');
  await page.fill('form.upload input[name=contractor]', 'Essai SARL');
  await page.click('form.upload button[type=submit]');
  await page.waitForURL(/#\/deliveries\/\d+$/, { timeout: 120_000 });
  await page.waitForSelector('[data-page="deliveries"][data-ready="true"]');
  const id = Number(page.url().split('/').pop());
  assert(id > deliveries.length, `the upload led to delivery ${id}`);
  const detail = await (await fetch(`${base}/api/deliveries/${id}`)).json();
  assert(detail.summary.zone === 'TEST-UPLOAD' && detail.summary.contractor === 'Essai SARL', 'zone or contractor lost');
  const heading = await page.locator('[data-block="report"] h2').innerText();
  assert(heading.includes(String(detail.diagnostics.total)), `report heading "${heading}" vs ${detail.diagnostics.total}`);
  assert(detail.diagnostics.total > 0, 'the uploaded delivery has injected defects: its report cannot be empty');
  const sums = await page.evaluate(() => Object.fromEntries(['severity', 'category'].map((name) => {
    const c = window.Chart.getChart(document.querySelector(`canvas[data-chart="${name}"]`));
    return [name, c.data.datasets[0].data.reduce((a, b) => a + b, 0)];
  })));
  assert(sums.severity === detail.diagnostics.total && sums.category === detail.diagnostics.total,
    `the severity and category charts count ${JSON.stringify(sums)}, the report ${detail.diagnostics.total}`);
  await page.waitForSelector('#report-map[data-map-ready="true"]');
  const rows = await page.locator('[data-block="report"] table.grid tbody tr').count();
  assert(rows === Object.keys(detail.diagnostics.by_rule).length, 'rules table incomplete');
  await page.screenshot({ path: join(shots, 'report.png'), fullPage: true });
});

await check('delivery report: changes since the previous delivery of the zone', async () => {
  const deliveries = await (await fetch(`${base}/api/deliveries`)).json();
  const later = deliveries.find((d) => d.previous_id != null);
  assert(later, 'the sample needs two deliveries of one zone');
  await open(`#/deliveries/${later.id}`);
  await page.waitForSelector('[data-block="diff"][data-loaded="true"]', { timeout: 60_000 });
  const tables = await page.locator('[data-block="diff"] table.grid > tbody > tr').count();
  const diff = await (await fetch(`${base}/api/deliveries/${later.id}/diff`)).json();
  const changed = diff.tables.filter((d) => d.added.length || d.removed.length || d.changed.length).length;
  assert(tables === changed && changed > 0, `${tables} tables shown, ${changed} changed`);
});

await check('acceptance page: zones by state, open reservations, audit trail', async () => {
  await open('#/acceptance?delivery=&kind=sro');
  const states = await page.evaluate(() => {
    const c = window.Chart.getChart(document.querySelector('canvas[data-chart="states"]'));
    return c.data.datasets[0].data.reduce((a, b) => a + b, 0);
  });
  assert(states > 0, 'no subject counted by state');
  const reservations = await page.locator('[data-block="reservations"]').innerText();
  assert(reservations.includes(env('THD_RESERVATION')), 'the open reservation is not listed');
  const audit = await page.locator('[data-block="audit"] tbody tr').count();
  assert(audit > 0, 'empty audit trail');
  await page.locator('[data-page="acceptance"] table.grid tbody tr.link').first().click();
  await page.waitForSelector('.subject-history table.grid tbody tr');
  await page.screenshot({ path: join(shots, 'acceptance.png'), fullPage: true });
});

await check('services page: catalogue, usage chart, communes map, a commune with its services and its fibre', async () => {
  const communes = (await (await fetch(`${base}/api/services/communes`)).json()).communes;
  const deliveries = await (await fetch(`${base}/api/deliveries`)).json();
  const chosen = deliveries[deliveries.length - 1];
  const fibre = (await (await fetch(`${base}/api/deliveries/${chosen.id}/stats?by=commune`)).json()).rows;
  const covered = fibre.find((r) => communes.some((c) => c.insee === r.commune));
  assert(covered, 'the sample delivery covers no commune of the catalogue');
  await page.evaluate((id) => localStorage.setItem('thd.delivery', String(id)), chosen.id);
  await open('#/services');
  await page.waitForSelector('#services-map[data-map-ready="true"]');
  const drawn = await whenMapIdle((map) => ({
    points: map.queryRenderedFeatures({ layers: ['communes'] }).length,
    areas: map.queryRenderedFeatures({ layers: ['areas'] }).length,
  }));
  const placed = communes.filter((c) => c.lon != null).length;
  assert(drawn.points === placed && placed > 0, `${drawn.points} communes drawn of ${placed} placed`);
  assert(drawn.areas > 0, 'the communes of the chosen delivery are not filled');
  const usage = await page.evaluate(() => {
    const c = window.Chart.getChart(document.querySelector('canvas[data-chart="usage"]'));
    return c.data.datasets.map((d) => ({ year: d.label, points: d.data.filter((v) => v != null).length }));
  });
  assert(usage.some((d) => d.year === '2019' && d.points >= 7), `usage chart: ${JSON.stringify(usage)}`);
  const services = (await (await fetch(`${base}/api/services`)).json()).services;
  const rows = await page.locator('[data-block="catalogue"] table.grid > tbody > tr').count();
  assert(rows === services.length, `${rows} catalogue rows for ${services.length} services`);
  await page.locator('[data-block="catalogue"] table.grid tbody tr.link').first().click();
  await page.waitForSelector(`[data-service="${services[0].id}"]`);
  await page.screenshot({ path: join(shots, 'services.png'), fullPage: true });

  // Clicking a commune's marker opens its panel with both halves: its services and its fibre.
  const target = await whenMapIdle((map, insee) => {
    const f = map.queryRenderedFeatures({ layers: ['communes'] }).find((x) => x.properties.insee === insee);
    if (!f) return null;
    const p = map.project(f.geometry.coordinates);
    return { x: p.x, y: p.y };
  }, covered.commune);
  assert(target, `commune ${covered.commune} not drawn`);
  const box = await page.locator('#services-map canvas').boundingBox();
  await page.mouse.click(box.x + target.x, box.y + target.y);
  await page.waitForSelector(`[data-commune="${covered.commune}"]`);
  const plugs = await page.locator(`[data-fibre="${covered.commune}"] [data-kpi="commune-plugs"] .kpi-value`).innerText();
  assert(plugs.replace(/\D/g, '') === String(covered.plugs), `fibre panel says ${plugs} plugs, the API ${covered.plugs}`);
  const used = (await (await fetch(`${base}/api/services/communes/${covered.commune}`)).json()).services.length;
  const listed = await page.locator('.commune-panel table.grid tbody tr').count();
  assert(listed === used, `${listed} services listed for the commune, the API says ${used}`);
  await page.screenshot({ path: join(shots, 'services-commune.png'), fullPage: true });

  await page.fill('[data-block="funding"] input[name=population]', '4500');
  await page.fill('[data-block="funding"] input[name=year]', '2016');
  await page.locator('[data-block="funding"] button[type=submit]').click();
  await page.waitForSelector('[data-contribution]:not([data-contribution=""])');
  const eur = await page.locator('[data-contribution]').getAttribute('data-contribution');
  assert(eur === '400', `a 4 500-inhabitant EPCI pays ${eur} € a year in 2016, the published figure is 400`);
});

await check('English labels on one click, French by default', async () => {
  await open('#/map');
  await page.waitForSelector('#map[data-map-ready="true"]');
  assert((await page.locator('nav a').nth(1).innerText()) === 'Carte', 'French first');
  await page.click('#lang');
  await page.waitForSelector('[data-page="map"][data-ready="true"]');
  assert((await page.locator('nav a').nth(1).innerText()) === 'Map', 'no English after the switch');
  await page.waitForSelector('#map[data-map-ready="true"]');
  await page.screenshot({ path: join(shots, 'map-en.png') });
  await page.click('#lang');
});

await browser.close();
const failed = results.filter((r) => !r.ok);
console.log(`${results.length - failed.length} passed, ${failed.length} failed; screenshots in ${shots}`);
process.exit(failed.length ? 1 : 0);
