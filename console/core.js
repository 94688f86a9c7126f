// hbmgw console: what every page shares (state, strings, the API, times).
export const $ = (id) => document.getElementById(id);

export const state = {
  csrf: null, user: null, cases: [], timer: null, strings: {}, lang: 'en',
};

// The string KEY in the page's language, {name} replaced from VARS.
export function t(key, vars) {
  let s = state.strings[key] ?? key;
  for (const [k, v] of Object.entries(vars ?? {})) s = s.replace(`{${k}}`, v);
  return s;
}

// A JSON request to the gateway; state-changing ones carry the CSRF token.
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  const r = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await r.json();
  } catch {
    data = null;
  }
  return { status: r.status, data };
}

// The 8 digits of a code as the API shows it ("4821-3955").
export const digits = (code) => String(code ?? '').replace(/\D/g, '');

const pad = (n) => String(n).padStart(2, '0');

// A span of MS milliseconds: "3 d 04 h", "2 h 05 min", "4 min 07 s", "45 s".
export function span(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (d > 0) return `${d} ${t('d')} ${pad(h % 24)} ${t('h')}`;
  if (h > 0) return `${h} ${t('h')} ${pad(m % 60)} ${t('min')}`;
  if (m > 0) return `${m} ${t('min')} ${pad(s % 60)} ${t('s')}`;
  return `${s} ${t('s')}`;
}

// How long ago ISO was, to the minute.
export function age(iso) {
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const m = Math.max(0, Math.floor(ms / 60000));
  if (m < 60) return `${m} ${t('min')}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} ${t('h')} ${m % 60} ${t('min')}`;
  return `${Math.floor(h / 24)} ${t('days')}`;
}

// Show in EL the time left to the deadline ISO (null: none), or how far
// past it is, as a word and a class, not colour alone.
export function deadline(el, iso) {
  const due = iso ? Date.parse(iso) : NaN;
  el.dataset.due = iso ?? '';
  if (!Number.isFinite(due)) {
    el.textContent = '—';
    el.classList.remove('overdue');
    return;
  }
  const left = due - Date.now();
  el.classList.toggle('overdue', left < 0);
  el.textContent = left < 0 ? t('overdue_by', { t: span(-left) }) : span(left);
}

// Once a second, every deadline on the page counts down, without a fetch.
export function startClock() {
  setInterval(() => {
    for (const el of document.querySelectorAll('[data-due]'))
      deadline(el, el.dataset.due || null);
  }, 1000);
}

// A time from the API in the page's language.
export function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso ?? '';
  return d.toLocaleString(state.lang, { dateStyle: 'medium', timeStyle: 'medium' });
}
