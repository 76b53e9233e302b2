// Tollgate operator dashboard: hand-written, no libraries. Reads /admin/stats (calls, refusals, pressure)
// and pages through /admin/usage (committed charges) from a cursor it keeps, so each refresh reads only
// what is new. Amounts are decimal strings; they are added as scaled BigInts, never as floating point.
'use strict';

const SCALE = 18n;
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#dc2626', '#f59e0b', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c'];
const MAX_PAGES_PER_REFRESH = 20;

const usage = {
  cursor: '',
  charges: 0,
  revenue: new Map(),      // currency -> BigInt (scaled)
  perMinute: new Map(),    // ISO minute -> BigInt (scaled), first currency only
  accounts: new Map(),     // account -> {charges, revenue: BigInt}
  currency: null,
  lost: 0,
};

function toScaled(text) {
  const negative = text.startsWith('-');
  const [whole, frac = ''] = text.replace('-', '').split('.');
  const v = BigInt(whole || '0') * 10n ** SCALE + BigInt((frac + '0'.repeat(Number(SCALE))).slice(0, Number(SCALE)) || '0');
  return negative ? -v : v;
}

function fromScaled(v) {
  const negative = v < 0n;
  if (negative) v = -v;
  const whole = v / 10n ** SCALE;
  let frac = (v % 10n ** SCALE).toString().padStart(Number(SCALE), '0').replace(/0+$/, '');
  return (negative ? '-' : '') + whole.toString() + (frac ? '.' + frac : '');
}

function minuteOf(iso) {
  return new Date(Math.floor(Date.parse(iso) / 60000) * 60000).toISOString().replace('.000Z', 'Z');
}

async function getJson(path) {
  const r = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (!r.ok) throw new Error(path + ' answered ' + r.status);
  return r.json();
}

async function readUsage() {
  for (let i = 0; i < MAX_PAGES_PER_REFRESH; i++) {
    const page = await getJson('usage?limit=500' + (usage.cursor ? '&after=' + encodeURIComponent(usage.cursor) : ''));
    usage.lost += page.lost;
    for (const r of page.records) {
      const amount = toScaled(r.amount);
      const signed = r.kind === 'reversal' ? -amount : amount;
      if (usage.currency === null) usage.currency = r.currency;
      usage.revenue.set(r.currency, (usage.revenue.get(r.currency) || 0n) + signed);
      if (r.kind === 'charge') usage.charges++;
      if (r.currency === usage.currency) {
        const m = minuteOf(r.time);
        usage.perMinute.set(m, (usage.perMinute.get(m) || 0n) + signed);
      }
      const a = usage.accounts.get(r.account) || { charges: 0, revenue: 0n, currency: r.currency };
      if (r.kind === 'charge') a.charges++;
      a.revenue += signed;
      usage.accounts.set(r.account, a);
    }
    usage.cursor = page.next;
    if (page.records.length < 500) break;
  }
}

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// Stacked bars: series is [{label, values: [number per minute], color}], minutes the x labels.
function bars(svg, minutes, series) {
  svg.replaceChildren();
  const W = svg.viewBox.baseVal.width || 600, H = 160, left = 36, bottom = 18, top = 8;
  const n = minutes.length;
  const totals = minutes.map((_, i) => series.reduce((s, x) => s + x.values[i], 0));
  const max = Math.max(1, ...totals);
  const bw = (W - left - 4) / n;
  svg.appendChild(el('line', { class: 'axis', x1: left, y1: H - bottom, x2: W, y2: H - bottom }));
  svg.appendChild(el('text', { x: 2, y: top + 8 }, formatNumber(max)));
  svg.appendChild(el('text', { x: 2, y: H - bottom }, '0'));
  for (let i = 0; i < n; i++) {
    let y = H - bottom;
    for (const s of series) {
      const v = s.values[i];
      if (v <= 0) continue;
      const h = (v / max) * (H - bottom - top);
      y -= h;
      const r = el('rect', { x: left + i * bw + 1, y, width: Math.max(1, bw - 2), height: h, fill: s.color,
        'data-minute': minutes[i], 'data-series': s.label, 'data-value': String(v) });
      r.appendChild(el('title', {}, minutes[i].slice(11, 16) + ' ' + s.label + ': ' + formatNumber(v)));
      svg.appendChild(r);
    }
    if (i % 10 === 0 || i === n - 1) {
      const last = i === n - 1;
      svg.appendChild(el('text', { x: last ? W - 2 : left + i * bw, y: H - 4, 'text-anchor': last ? 'end' : 'start' },
        minutes[i].slice(11, 16)));
    }
  }
}

function formatNumber(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function row(tbody, cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.appendChild(c); else td.textContent = String(c);
    if (typeof c === 'number' || /^[0-9.]+$/.test(String(c))) td.className = 'n';
    tr.appendChild(td);
  }
  tbody.appendChild(tr);
  return tr;
}

function render(stats) {
  const minutes = stats.minutes.map(m => m.t.replace('.000Z', 'Z'));
  const calls = stats.minutes.map(m => m.calls);
  const limited = stats.minutes.map(m => m.limited);
  const reasons = [...new Set(stats.minutes.flatMap(m => Object.keys(m.refused)))].sort();
  const refusalsTotal = stats.minutes.reduce((s, m) => s + Object.values(m.refused).reduce((a, b) => a + b, 0), 0);

  document.querySelector('[data-testid=calls-total]').textContent = calls.reduce((a, b) => a + b, 0);
  document.querySelector('[data-testid=refusals-total]').textContent = refusalsTotal;
  document.querySelector('[data-testid=limited-total]').textContent = limited.reduce((a, b) => a + b, 0);
  document.querySelector('[data-testid=charges-total]').textContent = usage.charges;
  document.querySelector('[data-testid=revenue-total]').textContent = usage.revenue.size === 0 ? '0'
    : [...usage.revenue].map(([c, v]) => fromScaled(v) + ' ' + c).join(', ');
  document.getElementById('revenue-unit').textContent = usage.currency ? '(' + usage.currency + ')' : '';

  bars(document.getElementById('chart-calls'), minutes, [{ label: 'calls', values: calls, color: '#2563eb' }]);
  bars(document.getElementById('chart-revenue'), minutes, [{ label: 'revenue', color: '#059669',
    values: minutes.map(m => Number(fromScaled(usage.perMinute.get(m) || 0n))) }]);
  const series = reasons.map((r, i) => ({ label: r, color: COLORS[i % COLORS.length],
    values: stats.minutes.map(m => m.refused[r] || 0) }));
  bars(document.getElementById('chart-refusals'), minutes, series);
  const legend = document.getElementById('refusal-legend');
  legend.replaceChildren();
  for (const s of series) {
    const li = document.createElement('li');
    li.dataset.reason = s.label;
    li.dataset.count = String(s.values.reduce((a, b) => a + b, 0));
    const swatch = document.createElement('i');
    swatch.style.background = s.color;
    li.append(swatch, s.label + ': ' + li.dataset.count);
    legend.appendChild(li);
  }

  const endpoints = document.querySelector('#top-endpoints tbody');
  endpoints.replaceChildren();
  for (const e of stats.endpoints.slice(0, 10)) {
    row(endpoints, [e.name, e.calls, e.charged, e.refused, e.limited]).dataset.endpoint = e.name;
  }
  const accounts = document.querySelector('#top-accounts tbody');
  accounts.replaceChildren();
  const top = [...usage.accounts].sort((a, b) => (b[1].revenue > a[1].revenue) - (b[1].revenue < a[1].revenue)).slice(0, 10);
  for (const [name, a] of top) {
    row(accounts, [name, a.charges, fromScaled(a.revenue)]).dataset.account = name;
  }
  const pressure = document.querySelector('#pressure tbody');
  pressure.replaceChildren();
  for (const p of stats.pressure.sort((a, b) => b.limited / b.calls - a.limited / a.calls)) {
    const bar = document.createElement('div');
    bar.className = 'bar';
    const fill = document.createElement('span');
    fill.style.width = Math.round(100 * p.limited / p.calls) + '%';
    bar.appendChild(fill);
    const tr = row(pressure, [p.endpoint, p.limited + ' / ' + p.calls, bar]);
    tr.dataset.endpoint = p.endpoint;
    tr.dataset.limited = String(p.limited);
  }
  document.getElementById('status').textContent = 'updated ' + new Date(Date.parse(stats.now)).toISOString().slice(11, 19)
    + ' UTC' + (usage.lost > 0 ? ' · ' + usage.lost + ' usage records dropped before they were read' : '');
}

async function refresh() {
  try {
    await readUsage();
    render(await getJson('stats'));
    document.body.dataset.ready = 'true';
  } catch (e) {
    document.getElementById('status').textContent = 'cannot refresh: ' + e.message;
  }
}

refresh();
setInterval(refresh, 5000);
