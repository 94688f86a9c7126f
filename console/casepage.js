// hbmgw console: one case, its timeline and what a caseworker does to it.
import { $, state, t, api, age, deadline, digits, when } from './core.js';

let current = null; // the 8 digits of the case shown

// A timeline word (an action, or who did it) in the page's language, by
// its PREFIX ("what_", "who_"); an agency's id and any new word as they are.
function word(prefix, v) {
  return state.strings[prefix + v.replace(/ /g, '_')] ?? v;
}

function term(dl, key, value, cls) {
  const dt = document.createElement('dt');
  dt.textContent = t(key);
  const dd = document.createElement('dd');
  if (value !== undefined) dd.textContent = value;
  if (cls) dd.className = cls;
  dl.append(dt, dd);
  return dd;
}

// Each part of a timeline entry isolated, so that a Latin word keeps its
// place in Arabic.
function part(cls, text) {
  const b = document.createElement('bdi');
  b.className = cls;
  b.textContent = text;
  return b;
}

// The button that shows the number NUM in clear, once the server has
// recorded who asked.
function revealButton(num) {
  const b = document.createElement('button');
  b.type = 'button';
  b.id = 'reveal';
  b.className = 'reveal';
  b.textContent = t('reveal');
  const code = current;
  b.addEventListener('click', async () => {
    b.disabled = true;
    let r = null;
    try {
      r = await api('POST', `/v1/cases/${code}/reveal`);
    } catch {
      r = null;
    }
    if (current !== code) return;
    if (r?.status === 200 && r.data?.phone) {
      num.textContent = r.data.phone;
      b.remove();
      num.tabIndex = -1; // the focus stays near, not lost
      num.focus();
      return;
    }
    b.disabled = false;
    $('case-state').textContent = r === null ? t('offline')
      : (r.data?.error ?? t('reveal_failed'));
  });
  return b;
}

function renderCase(c) {
  // The code stays left to right inside an Arabic heading.
  const [before, after] = t('case_title').split('{code}');
  const code = document.createElement('bdi');
  code.dir = 'ltr';
  code.textContent = c.code;
  $('case-h').replaceChildren(before ?? '', code, after ?? '');
  const dl = $('case-summary');
  dl.replaceChildren();
  term(dl, 'category', c.label ?? '');
  const p = term(dl, 'priority', String(c.priority ?? ''));
  if (c.escalated) {
    const mark = document.createElement('span');
    mark.className = 'escalated-mark';
    mark.textContent = ` ⚠ ${t('escalated')}`;
    p.append(mark);
  }
  term(dl, 'status', t(`status_${c.status}`), 'status');
  term(dl, 'region', c.region ?? '—');
  term(dl, 'persons', String(c.persons ?? ''));
  term(dl, 'age', c.created_at ? age(c.created_at) : '');
  deadline(term(dl, 'deadline', undefined, 'due'), c.due_at);
  // The number only when the API gives it: to the acknowledging agency,
  // with consent, masked; "Show number" asks for it in clear (audited).
  if (c.phone) {
    const num = part('phone', c.phone);
    num.dir = 'ltr'; // "+256..." keeps its plus in front in Arabic
    const dd = term(dl, 'phone');
    dd.append(num);
    if (c.phone_reveal) dd.append(' ', revealButton(num));
  }
  if (c.note) term(dl, 'note', c.note);

  const open = c.status !== 'closed';
  const actor = state.user?.role !== 'coordinator';
  $('case-actions').hidden = !actor || !open;
  $('act-ack').hidden = c.status === 'acknowledged';

  const ol = $('timeline');
  ol.replaceChildren();
  for (const e of c.history ?? []) {
    const li = document.createElement('li');
    const tm = document.createElement('time');
    tm.dateTime = e.at;
    tm.textContent = when(e.at);
    li.append(tm, ' — ', part('who-did', word('who_', e.who)), ' — ',
      part('what', word('what_', e.what)));
    // A "created" entry's note is the category's id: its label is shown.
    const text = e.what === 'created' && e.note === c.category
      ? c.label : e.note;
    if (text) li.append(': ', part('note', text));
    ol.append(li);
  }
}

// Read the case CODE and show it; "not found" for any case this user may
// not see, exactly as the API answers.
export async function loadCase(code, focus) {
  current = code;
  $('case-state').textContent = t('loading');
  $('action-error').textContent = '';
  let r;
  try {
    r = await api('GET', `/v1/cases/${code}`);
  } catch {
    $('case-state').textContent = t('offline');
    return;
  }
  if (current !== code) return;
  if (r.status === 401) {
    window.dispatchEvent(new Event('hbm-signedout'));
    return;
  }
  const found = r.status === 200 && r.data;
  $('case-body').hidden = !found;
  if (found) {
    $('case-state').textContent = '';
    renderCase(r.data);
  } else {
    $('case-h').textContent = t('case_missing_h');
    $('case-state').textContent = r.status === 404 || r.status === 400
      ? t('case_missing') : (r.data?.error ?? t('error'));
  }
  if (focus) $('case-h').focus();
}

// POST VERB with BODY; the server's error text when it fails.
async function act(verb, body) {
  const err = $('action-error');
  err.textContent = '';
  const code = current;
  let r;
  try {
    r = await api('POST', `/v1/cases/${code}/${verb}`, body);
  } catch {
    err.textContent = t('offline');
    return null;
  }
  if (r.status !== 200) {
    err.textContent = r.data?.error ?? t('error');
    return null;
  }
  return r;
}

export function initCase(onDeclined) {
  $('act-ack').addEventListener('click', async () => {
    // The button goes away: the focus goes to the case's heading.
    if (await act('ack')) await loadCase(current, true);
  });
  $('decline-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const reason = $('decline-reason').value.trim();
    if (!reason) {
      $('action-error').textContent = t('reason_needed');
      $('decline-reason').focus();
      return;
    }
    if (await act('decline', { reason })) {
      $('decline-reason').value = '';
      onDeclined(current);
    }
  });
  $('close-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const note = $('close-note').value.trim();
    if (await act('close', note ? { note } : {})) {
      $('close-note').value = '';
      await loadCase(current, true);
    }
  });
}

export const caseRoute = (hash) => {
  const m = /^#case\/(\d{8})$/.exec(hash);
  return m ? digits(m[1]) : null;
};
