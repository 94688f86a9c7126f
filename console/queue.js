// hbmgw console: the queue of cases, its filters and deadlines.
import { $, state, t, age, deadline, digits } from './core.js';

// A cell; its column's name goes in data-label, which a narrow screen,
// where each row is a card, shows before it.
function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  const th = $('cases').tHead.rows[0].cells[tr.cells.length];
  if (th) td.dataset.label = th.textContent;
  tr.append(td);
  return td;
}

// Fill the select ID with VALUES (sorted) after its "All" option, keeping
// the choice; untouched when the values are the same as before.
function options(id, values) {
  const sel = $(id);
  const want = [...new Set(values.filter((v) => v))].sort();
  if (sel.value && !want.includes(sel.value)) want.push(sel.value);
  const have = [...sel.options].slice(1).map((o) => o.value);
  if (have.join('\n') === want.join('\n')) return;
  const keep = sel.value;
  sel.replaceChildren(sel.options[0]);
  for (const v of want) sel.add(new Option(v, v));
  sel.value = keep;
}

// The cases the filters let through.
function filtered() {
  const want = digits($('search').value);
  const label = $('f-category').value;
  const prio = $('f-priority').value;
  const region = $('f-region').value;
  return state.cases.filter((c) => (!want || digits(c.code).includes(want))
    && (!label || c.label === label)
    && (!prio || String(c.priority) === prio)
    && (!region || c.region === region));
}

export function renderQueue() {
  const body = $('case-rows');
  if (!body) return;
  options('f-category', state.cases.map((c) => c.label));
  options('f-region', state.cases.map((c) => c.region));
  const rows = filtered();
  body.replaceChildren();
  for (const c of rows) {
    const tr = document.createElement('tr');
    tr.dataset.code = c.code;
    const td = cell(tr, '', 'code');
    const a = document.createElement('a');
    a.href = `#case/${digits(c.code)}`;
    a.textContent = c.code;
    a.dir = 'ltr'; // digits stay in order in Arabic
    td.append(a);
    cell(tr, c.label ?? '');
    const p = cell(tr, String(c.priority ?? ''));
    if (c.escalated) {
      tr.className = 'escalated';
      const mark = document.createElement('span');
      mark.className = 'escalated-mark';
      mark.textContent = ` ⚠ ${t('escalated')}`;
      p.append(mark);
    }
    cell(tr, c.region ?? '—');
    cell(tr, t(`status_${c.status}`));
    deadline(cell(tr, '', 'due'), c.due_at);
    cell(tr, c.created_at ? age(c.created_at) : '');
    body.append(tr);
  }
  const st = $('queue-state');
  if (state.user && rows.length === 0 && !st.textContent)
    st.textContent = t('empty');
  else if (rows.length > 0 && st.textContent === t('empty'))
    st.textContent = '';
  live();
}

// Live updates: GET /v1/events says "changed" (nothing more) when any case
// may have changed, and the queue is read again then; app.js's slow poll
// stays as a fallback. The stream follows the session: opened once signed
// in, closed on sign-out, and opened again after the next poll when the
// server refused or dropped it for good (401, 503).
const sse = { source: null, refetch: null, busy: false, again: false };

// Say whether updates are live (on, off), or nothing when signed out.
function liveState(on) {
  const sec = $('view-queue');
  if (!sec) return;
  if (on === undefined) {
    delete sec.dataset.live;
    $('queue-h').title = '';
    return;
  }
  sec.dataset.live = on ? 'on' : 'off';
  $('queue-h').title = t(on ? 'live_on' : 'live_off');
}

// Read the queue again, once at a time: events during a read make one more.
async function refetch() {
  if (sse.busy) {
    sse.again = true;
    return;
  }
  sse.busy = true;
  try {
    await sse.refetch();
  } finally {
    sse.busy = false;
  }
  if (sse.again) {
    sse.again = false;
    refetch();
  }
}

function live() {
  const src = sse.source;
  if (!state.user || !sse.refetch) {
    if (src) src.close();
    sse.source = null;
    liveState(undefined);
    return;
  }
  if (src && src.readyState !== EventSource.CLOSED) {
    liveState(src.readyState === EventSource.OPEN); // in the page's language
    return;
  }
  const es = new EventSource('/v1/events');
  let missed = false;
  es.addEventListener('changed', refetch);
  es.addEventListener('open', () => {
    liveState(true);
    // Back after a drop: what changed meanwhile sent no event here.
    if (missed) refetch();
    missed = false;
  });
  es.addEventListener('error', () => {
    missed = true;
    liveState(false);
  });
  sse.source = es;
}

export function initQueue(poll) {
  sse.refetch = poll;
  $('status').addEventListener('change', poll);
  for (const id of ['f-category', 'f-priority', 'f-region'])
    $(id).addEventListener('change', renderQueue);
  $('search').addEventListener('input', renderQueue);
  $('filters').addEventListener('submit', (e) => e.preventDefault());
}
