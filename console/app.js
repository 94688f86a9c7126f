// hbmgw console: sign-in and the queue of cases. Plain ES module, no
// framework, no build step; every byte comes from hbmgwd.
const POLL_MS = 5000; // until Server-Sent Events come
const LANGS = ['en', 'fr', 'ar'];
const $ = (id) => document.getElementById(id);

const state = { csrf: null, user: null, cases: [], timer: null, strings: {} };

function t(key) {
  return state.strings[key] ?? key;
}

async function setLang(lang) {
  if (!LANGS.includes(lang)) lang = 'en';
  try {
    const r = await fetch(`i18n/${lang}.json`, { credentials: 'same-origin' });
    state.strings = await r.json();
  } catch {
    state.strings = {};
  }
  localStorage.setItem('hbm.lang', lang);
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
  $('lang').value = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const s = state.strings[el.dataset.i18n];
    if (s) el.textContent = s;
  }
  document.title = t('title');
  render();
}

async function api(method, path, body) {
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

function show(view) {
  $('view-signin').hidden = view !== 'signin';
  $('view-queue').hidden = view !== 'queue';
  $('signout').hidden = view !== 'queue';
  $('who').textContent = view === 'queue' && state.user
    ? `${state.user.name} (${state.user.agency ?? state.user.role})` : '';
  document.body.dataset.view = view;
}

function signedIn(user) {
  state.user = user;
  state.csrf = user.csrf;
  show('queue');
  $('queue-state').textContent = t('loading');
  poll();
}

function signedOut() {
  clearTimeout(state.timer);
  state.timer = null;
  state.user = null;
  state.csrf = null;
  state.cases = [];
  render();
  show('signin');
  $('login').focus();
}

async function onSignIn(ev) {
  ev.preventDefault();
  const login = $('login').value.trim();
  const password = $('password').value;
  const err = $('signin-error');
  err.textContent = '';
  if (!login || !password) {
    err.textContent = t('fill_both');
    return;
  }
  try {
    const r = await api('POST', '/v1/session', { login, password });
    if (r.status === 200 && r.data) {
      $('password').value = '';
      signedIn(r.data);
    } else {
      // The server's one neutral answer, whatever went wrong.
      err.textContent = r.data?.error ?? t('signin_failed');
    }
  } catch {
    err.textContent = t('offline');
  }
}

async function onSignOut() {
  try {
    await api('DELETE', '/v1/session');
  } catch {
    // Signed out here whatever the server said; its session times out.
  }
  signedOut();
}

async function poll() {
  clearTimeout(state.timer);
  const status = $('status').value;
  const q = status ? `?status=${encodeURIComponent(status)}` : '';
  try {
    const r = await api('GET', `/v1/cases${q}`);
    if (r.status === 401) {
      signedOut();
      return;
    }
    if (r.status === 200 && r.data) {
      state.cases = r.data.cases ?? [];
      $('queue-state').textContent = '';
    } else {
      $('queue-state').textContent = r.data?.error ?? t('error');
    }
  } catch {
    $('queue-state').textContent = t('offline');
  }
  render();
  if (state.user) state.timer = setTimeout(poll, POLL_MS);
}

function age(iso) {
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const m = Math.max(0, Math.floor(ms / 60000));
  if (m < 60) return `${m} ${t('min')}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} ${t('h')} ${m % 60} ${t('min')}`;
  return `${Math.floor(h / 24)} ${t('d')}`;
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.append(td);
  return td;
}

function render() {
  const body = $('case-rows');
  if (!body) return;
  const want = $('search').value.replace(/\D/g, '');
  const rows = state.cases.filter(
    (c) => !want || String(c.code).replace(/\D/g, '').includes(want));
  body.replaceChildren();
  for (const c of rows) {
    const tr = document.createElement('tr');
    tr.dataset.code = c.code;
    cell(tr, c.code, 'code').dir = 'ltr'; // digits stay in order in Arabic
    cell(tr, c.category ?? '');
    const p = cell(tr, String(c.priority ?? ''));
    if (c.escalated) {
      tr.className = 'overdue';
      const mark = document.createElement('span');
      mark.className = 'overdue-mark';
      mark.textContent = ` ⚠ ${t('escalated')}`;
      p.append(mark);
    }
    cell(tr, t(`status_${c.status}`));
    cell(tr, c.created_at ? age(c.created_at) : '');
    body.append(tr);
  }
  if (state.user && rows.length === 0 && !$('queue-state').textContent)
    $('queue-state').textContent = t('empty');
  else if (rows.length > 0 && $('queue-state').textContent === t('empty'))
    $('queue-state').textContent = '';
}

async function start() {
  $('signin-form').addEventListener('submit', onSignIn);
  $('signout').addEventListener('click', onSignOut);
  $('lang').addEventListener('change', (e) => setLang(e.target.value));
  $('status').addEventListener('change', poll);
  $('search').addEventListener('input', render);
  $('filters').addEventListener('submit', (e) => e.preventDefault());
  await setLang(localStorage.getItem('hbm.lang') ?? 'en');
  try {
    const r = await api('GET', '/v1/session');
    if (r.status === 200 && r.data) {
      signedIn(r.data);
      return;
    }
  } catch {
    // Not signed in, or the server is away: the form shows either way.
  }
  signedOut();
}

start();
