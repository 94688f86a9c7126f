// hbmgw console: the coordinator page (#coord), "Figures" for a manager.
// The figures of GET /v1/stats as four Chart.js charts (Debian's
// libjs-chart.js, served by hbmgwd as vendor/chart.min.js and loaded only
// here), each with a table for screen readers and narrow screens; for a
// coordinator also the escalated and overdue cases, each with a "Reassign"
// control (reassignForm(), the case page's too), the audit chain and the
// channels (GET /v1/channels).
import { $, state, t, api, when, digits } from './core.js';

// Okabe-Ito: told apart by people with a colour vision deficiency.
const COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9',
  '#d55e00', '#f0e442', '#000000'];
const CHARTS = ['days', 'ack', 'open', 'missed'];

let chartLib = null;
let stats = null;
let channels = null;

// Chart.js, once: a script of our own origin, so the CSP lets it run.
function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartLib) {
    chartLib = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = 'vendor/chart.min.js';
      s.onload = () => resolve(window.Chart);
      s.onerror = () => {
        chartLib = null;
        reject(new Error('chart.js'));
      };
      document.head.append(s);
    });
  }
  return chartLib;
}

const agencyName = (a) => a ?? t('no_agency');

// A table into TABLE: a caption, a header row HEAD, then ROWS, the first
// cell of each a row header.
function fillTable(table, caption, head, rows) {
  table.replaceChildren();
  const cap = document.createElement('caption');
  cap.textContent = caption;
  const thead = document.createElement('thead');
  const tr = document.createElement('tr');
  for (const h of head) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    tr.append(th);
  }
  thead.append(tr);
  const tbody = document.createElement('tbody');
  for (const row of rows) {
    const r = document.createElement('tr');
    row.forEach((v, i) => {
      const c = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) c.scope = 'row';
      if (v instanceof Node) c.append(v);
      else c.textContent = String(v);
      r.append(c);
    });
    tbody.append(r);
  }
  table.append(cap, thead, tbody);
}

// What each chart shows: its Chart.js config and its table, from S.
const views = {
  days(s) {
    const sets = s.per_day.map((e, i) => ({
      label: e.label, data: e.counts, backgroundColor: COLOURS[i % COLOURS.length],
    }));
    return {
      title: t('chart_days'),
      config: {
        type: 'bar',
        data: { labels: s.days.map((d) => d.slice(5)), datasets: sets },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
      },
      head: [t('day'), ...s.per_day.map((e) => e.label)],
      rows: s.days.map((d, i) => [d, ...s.per_day.map((e) => e.counts[i])])
        .filter((r) => r.slice(1).some((n) => n > 0)),
    };
  },
  ack(s) {
    return {
      title: t('chart_ack'),
      config: {
        type: 'bar',
        data: {
          labels: s.ack.map((e) => agencyName(e.agency)),
          datasets: [
            { label: t('median'), data: s.ack.map((e) => e.median_seconds), backgroundColor: COLOURS[0] },
            { label: t('p90'), data: s.ack.map((e) => e.p90_seconds), backgroundColor: COLOURS[1] },
          ],
        },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: t('seconds') } } } },
      },
      head: [t('agency'), t('median'), t('p90'), t('count')],
      rows: s.ack.map((e) => [agencyName(e.agency), e.median_seconds, e.p90_seconds, e.count]),
    };
  },
  open(s) {
    const keys = ['notified', 'acknowledged', 'escalated'];
    return {
      title: t('chart_open'),
      config: {
        type: 'doughnut',
        data: {
          labels: keys.map((k) => t(`state_${k}`)),
          datasets: [{ label: t('count'), data: keys.map((k) => s.open[k]), backgroundColor: [COLOURS[4], COLOURS[2], COLOURS[5]] }],
        },
        options: {},
      },
      head: [t('state'), t('count')],
      rows: keys.map((k) => [t(`state_${k}`), s.open[k]]),
    };
  },
  missed(s) {
    return {
      title: t('chart_missed'),
      config: {
        type: 'bar',
        data: {
          labels: s.missed.map((e) => agencyName(e.agency)),
          datasets: [
            { label: t('missed_escalated'), data: s.missed.map((e) => e.escalated), backgroundColor: COLOURS[5] },
            { label: t('missed_late'), data: s.missed.map((e) => e.late), backgroundColor: COLOURS[1] },
          ],
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
      },
      head: [t('agency'), t('missed_escalated'), t('missed_late'), t('count')],
      rows: s.missed.map((e) => [agencyName(e.agency), e.escalated, e.late, e.count]),
    };
  },
};

// Draw chart NAME from V (its view), replacing the one there.
function draw(Chart, name, v) {
  const canvas = $(`chart-${name}`);
  Chart.getChart(canvas)?.destroy();
  const rtl = document.documentElement.dir === 'rtl';
  const o = v.config.options;
  o.responsive = true;
  o.maintainAspectRatio = false;
  o.animation = false;
  o.locale = state.lang;
  o.plugins = { legend: { rtl, position: 'bottom' }, tooltip: { rtl } };
  if (o.scales) {
    o.scales.x = { ...o.scales.x, reverse: rtl };
    o.scales.y = { ...o.scales.y, position: rtl ? 'right' : 'left' };
  }
  new Chart(canvas, v.config);
}

// A "Reassign" form for case CODE ("4821-3957"), now with AGENCY (its id,
// or null): a select of the other agencies, by name, as a coordinator's
// session lists them (GET /v1/session), an optional reason and a button,
// for POST /v1/cases/{code}/reassign. ID prefixes its controls' ids.
// LABELLED shows their labels (the case page); otherwise (a table row) each
// control names the case for screen readers. DONE(name) once moved.
export function reassignForm(code, agency, id, labelled, done) {
  const f = document.createElement('form');
  f.className = 'act reassign';
  f.noValidate = true;
  const field = (el, key) => {
    el.id = `${id}-${key}`;
    if (labelled) {
      const l = document.createElement('label');
      l.htmlFor = el.id;
      l.textContent = t(`reassign_${key}`);
      f.append(l);
    } else {
      el.setAttribute('aria-label', t(`reassign_${key}_of`, { code }));
    }
    f.append(el);
  };
  const sel = document.createElement('select');
  for (const a of state.user?.agencies ?? []) {
    if (a.id === agency) continue;
    const o = document.createElement('option');
    o.value = a.id;
    o.textContent = a.name;
    sel.append(o);
  }
  field(sel, 'to');
  const reason = document.createElement('input');
  reason.type = 'text';
  reason.maxLength = 400;
  field(reason, 'reason');
  const b = document.createElement('button');
  b.type = 'submit';
  b.textContent = t('reassign');
  if (!labelled) b.setAttribute('aria-label', t('reassign_of', { code }));
  b.disabled = sel.options.length === 0;
  const err = document.createElement('p');
  err.className = 'error';
  err.setAttribute('role', 'alert');
  f.append(b, err);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { agency: sel.value };
    if (reason.value.trim()) body.reason = reason.value.trim();
    b.disabled = true;
    err.textContent = '';
    let r = null;
    try {
      r = await api('POST', `/v1/cases/${digits(code)}/reassign`, body);
    } catch {
      r = null;
    }
    b.disabled = false;
    if (r?.status === 401) window.dispatchEvent(new Event('hbm-signedout'));
    else if (r?.status === 200) done(sel.selectedOptions[0]?.textContent ?? sel.value);
    else err.textContent = r === null ? t('offline') : (r.data?.error ?? t('error'));
  });
  return f;
}

function renderOverdue(s) {
  const rows = (s.overdue ?? []).map((c) => {
    const a = document.createElement('a');
    a.href = `#case/${c.code.replace(/\D/g, '')}`;
    a.textContent = c.code;
    const due = c.due_at ? when(c.due_at) : '—';
    const form = reassignForm(c.code, c.agency, `reassign-${digits(c.code)}`,
      false, async (name) => {
        await loadCoord(false);
        $('coord-state').textContent = t('reassigned', { code: c.code, agency: name });
        $('coord-h').focus();
      });
    return [a, c.label ?? '', agencyName(c.agency),
      c.escalated ? `${due} (${t('escalated')})` : due, form];
  });
  fillTable($('table-overdue'), t('overdue_h'),
    [t('code'), t('category'), t('agency'), t('deadline'), t('reassign')], rows);
  $('overdue-none').hidden = rows.length > 0;
  const a = s.audit;
  if (!a || a.ok === null) $('coord-audit').textContent = t('audit_unknown');
  else $('coord-audit').textContent = t(a.ok ? 'audit_ok' : 'audit_broken', { t: when(a.checked_at) });
  $('coord-audit').classList.toggle('error', a?.ok === false);
}

function renderChannels() {
  const rows = (channels ?? []).map((c) => [c.name, c.type,
    c.up ? t('yes') : t('no'), c.breaker, c.queue ?? '—', c.last_error ?? '—']);
  fillTable($('table-channels'), t('channels_h'),
    [t('channel'), t('ch_type'), t('ch_up'), t('ch_breaker'), t('ch_queue'), t('ch_error')], rows);
}

// Show the figures loaded, in the page's language.
export async function renderCoord() {
  if (!stats) return;
  const s = stats;
  $('coord-note').textContent = t('stats_since', { d: s.days[0], n: s.cases })
    + (s.truncated ? ` ${t('truncated', { n: s.cases })}` : '');
  const coord = state.user?.role !== 'manager';
  $('coord-more').hidden = !coord;
  const vs = {};
  for (const name of CHARTS) {
    vs[name] = views[name](s);
    fillTable($(`table-${name}`), vs[name].title, vs[name].head, vs[name].rows);
    $(`chart-${name}`).setAttribute('aria-label', vs[name].title);
  }
  if (coord) {
    renderOverdue(s);
    renderChannels();
  }
  try {
    const Chart = await loadChart();
    for (const name of CHARTS) draw(Chart, name, vs[name]);
    $('coord-state').textContent = '';
  } catch {
    $('coord-state').textContent = t('chart_unavailable');
  }
}

// Read the figures (and the channels, for a coordinator) and show them.
export async function loadCoord(focus) {
  const h = $('coord-h');
  h.textContent = state.user?.role === 'manager' ? t('figures') : t('coordinator');
  if (focus) h.focus();
  $('coord-state').textContent = t('loading');
  try {
    const r = await api('GET', '/v1/stats');
    if (r.status === 401) {
      window.dispatchEvent(new Event('hbm-signedout'));
      return;
    }
    if (r.status !== 200 || !r.data) {
      $('coord-state').textContent = r.data?.error ?? t('stats_error');
      return;
    }
    stats = r.data;
    if (state.user?.role !== 'manager') {
      const c = await api('GET', '/v1/channels');
      channels = c.status === 200 ? c.data?.channels ?? [] : [];
    }
  } catch {
    $('coord-state').textContent = t('offline');
    return;
  }
  document.body.dataset.stats = 'loaded';
  await renderCoord();
}

// Forget what the last user saw.
export function resetCoord() {
  stats = null;
  channels = null;
  delete document.body.dataset.stats;
}
