// Building the page from data without innerHTML: every value from the API becomes a text node, so a code or a
// message holding markup is shown, never run.

/** An element: `attrs` sets properties (`class`, `text`, `onclick`, `dataset`...) and attributes (`aria-*`,
 * `data-*`, anything with a dash, and `list` and `style`, read-only as properties); children are nodes or
 * strings (null and false are skipped). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name.includes('-') || name === 'list' || name === 'style') el.setAttribute(name, value);
    else el[name] = value;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** A table: `columns` are `{ label, value: row => text or node, num? }`; `onRow` makes rows clickable. */
export function table(columns, rows, { onRow, rowClass } = {}) {
  return h(
    'table',
    { class: 'grid' },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.num ? 'num' : null, text: c.label })))),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {
            class: [onRow ? 'link' : null, rowClass?.(row)].filter(Boolean).join(' ') || null,
            onclick: onRow ? () => onRow(row) : null,
          },
          columns.map((c) => h('td', { class: c.num ? 'num' : null }, c.value(row))),
        ),
      ),
    ),
  );
}

/** A titled block of the page. */
export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', { text: title }), ...children);
}

/** A figure with its label, for the headline numbers of a page. */
export function kpi(label, value, testId) {
  return h('div', { class: 'kpi', 'data-kpi': testId }, h('div', { class: 'kpi-value', text: value }), h('div', { class: 'kpi-label', text: label }));
}

export function note(text, kind = 'info') {
  return h('p', { class: `note ${kind}`, text });
}
