// hbmgw console: one case, its timeline and what a caseworker does to it.
import { $, state, t, api, age, deadline, digits, when } from './core.js';
import { reassignForm } from './coord.js';

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

// The characters above ASCII in the GSM-7 default alphabet, as lib/gsm.c.
const GSM_UPPER = '¡£¤¥§¿ÄÅÆÇÉÑÖØÜßàäåæèéìñòöøùüΓΔΘΛΞΠΣΦΨΩ';

// Septets for the character CH in GSM-7: 1, 2 (extension table), or 0.
function gsm7Cost(ch) {
  const cp = ch.codePointAt(0);
  if (cp < 128) {
    if (ch === '\n' || ch === '\r' || (cp >= 32 && cp <= 90) || ch === '_'
      || (cp >= 97 && cp <= 122)) return 1;
    return '[\\]^{|}~'.includes(ch) ? 2 : 0;
  }
  if (ch === '€') return 2;
  return GSM_UPPER.includes(ch) ? 1 : 0;
}

// What TEXT costs as an SMS, as lib/gsm.c's gsm_measure(): GSM-7 septets
// (160 in one segment, 153 a part) or UCS-2 units (70, 67), a pair never
// split across parts.
export function smsCost(text) {
  const chars = Array.from(text);
  const ucs2 = chars.some((ch) => gsm7Cost(ch) === 0);
  const [single, part] = ucs2 ? [70, 67] : [160, 153];
  let units = 0;
  let fill = 0;
  let segments = 1;
  for (const ch of chars) {
    const cost = ucs2 ? (ch.codePointAt(0) > 0xffff ? 2 : 1) : gsm7Cost(ch);
    units += cost;
    if (fill + cost > part) {
      segments++;
      fill = 0;
    }
    fill += cost;
  }
  if (units <= single) segments = 1;
  return { ucs2, units, segments };
}

// The count under the SMS text: its characters, segments and alphabet.
function smsCount() {
  const tmpl = $('sms-template').value;
  const text = $('sms-text');
  text.disabled = tmpl !== '';
  if (tmpl !== '') {
    $('sms-count').textContent = t('sms_template_note');
    return;
  }
  const c = smsCost(text.value);
  $('sms-count').textContent = t('sms_count', {
    n: String(c.units), s: String(c.segments), a: c.ucs2 ? 'UCS-2' : 'GSM-7',
  });
}

// The coordinator's "Reassign" form under the heading of its section,
// shown when SHOWN (an open case, to a coordinator).
function reassignSection(c, shown) {
  const sec = $('case-reassign');
  sec.hidden = !shown;
  sec.querySelector('form')?.remove();
  if (!shown) return;
  const code = current;
  sec.append(reassignForm(c.code, c.agency, 'reassign', true, async (name) => {
    await loadCase(code, true);
    $('case-state').textContent = t('reassigned', { code: c.code, agency: name });
  }));
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
  reassignSection(c, !actor && open);
  $('act-ack').hidden = c.status === 'acknowledged';
  // An SMS to the person: the API gives the number (masked) only to the
  // agency that acknowledged the case, with consent.
  $('sms-form').hidden = c.status !== 'acknowledged' || !c.phone;
  smsCount();

  const ol = $('timeline');
  ol.replaceChildren();
  for (const e of c.history ?? []) {
    const li = document.createElement('li');
    const tm = document.createElement('time');
    tm.dateTime = e.at;
    tm.textContent = when(e.at);
    // An SMS the case caused: to whom and how far it went, no number, no text.
    if (e.what === 'sms') {
      li.className = 'sms';
      li.append(tm, ' — ', part('what', word('sms_to_', e.to_role)), ' — ',
        part('sms-status', word('sms_', e.status)));
      ol.append(li);
      continue;
    }
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

// Add the note, or send the SMS, then show the case again.
async function noteSubmit(ev) {
  ev.preventDefault();
  const note = $('note-text').value.trim();
  if (!note) {
    $('action-error').textContent = t('note_needed');
    $('note-text').focus();
    return;
  }
  if (await act('note', { note })) {
    $('note-text').value = '';
    await loadCase(current, false);
  }
}

async function smsSubmit(ev) {
  ev.preventDefault();
  const template = $('sms-template').value;
  const text = $('sms-text').value.trim();
  if (!template && !text) {
    $('action-error').textContent = t('sms_needed');
    $('sms-text').focus();
    return;
  }
  if (await act('sms', template ? { template } : { text })) {
    $('sms-text').value = '';
    $('sms-template').value = '';
    await loadCase(current, false);
  }
}

export function initCase(onDeclined) {
  $('note-form').addEventListener('submit', noteSubmit);
  $('sms-form').addEventListener('submit', smsSubmit);
  $('sms-text').addEventListener('input', smsCount);
  $('sms-template').addEventListener('change', smsCount);
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
