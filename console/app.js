// hbmgw console: sign-in, the queue, the case page and the coordinator
// page. Plain ES modules, no framework, no build step; every byte comes
// from hbmgwd.
import { $, state, t, api, startClock } from './core.js';
import { renderQueue, initQueue } from './queue.js';
import { loadCase, initCase, caseRoute } from './casepage.js';
import { loadCoord, renderCoord, resetCoord } from './coord.js';

const POLL_MS = 60000; // a fallback: GET /v1/events triggers reads (queue.js)
const LANGS = ['en', 'fr', 'ar'];

async function setLang(lang) {
  if (!LANGS.includes(lang)) lang = 'en';
  try {
    const r = await fetch(`i18n/${lang}.json`, { credentials: 'same-origin' });
    state.strings = await r.json();
  } catch {
    state.strings = {};
  }
  state.lang = lang;
  // The browser's last language, for the sign-in page; and the signed-in
  // user's own, given back at each sign-in (signedIn()).
  localStorage.setItem('hbm.lang', lang);
  if (state.user) localStorage.setItem(`hbm.lang.${state.user.login}`, lang);
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
  $('lang').value = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const s = state.strings[el.dataset.i18n];
    if (s) el.textContent = s;
  }
  document.title = t('title');
  renderQueue();
  if (document.body.dataset.view === 'case') route();
  if (document.body.dataset.view === 'coord') {
    navText();
    renderCoord();
  }
}

// The figures are a manager's and a coordinator's, not a caseworker's.
const figures = () => ['manager', 'coordinator'].includes(state.user?.role);

// The link to them: "Coordinator" for a coordinator, "Figures" for a manager.
function navText() {
  const coord = state.user?.role === 'coordinator';
  $('nav-coord').textContent = t(coord ? 'coordinator' : 'figures');
  $('coord-h').textContent = $('nav-coord').textContent;
  $('nav').setAttribute('aria-label', t('nav'));
}

function show(view) {
  $('view-signin').hidden = view !== 'signin';
  $('view-queue').hidden = view !== 'queue';
  $('view-case').hidden = view !== 'case';
  $('view-coord').hidden = view !== 'coord';
  $('signout').hidden = view === 'signin';
  $('nav').hidden = view === 'signin' || !figures();
  for (const [id, v] of [['nav-queue', 'queue'], ['nav-coord', 'coord']]) {
    if (view === v) $(id).setAttribute('aria-current', 'page');
    else $(id).removeAttribute('aria-current');
  }
  if (view !== 'signin') navText();
  $('who').textContent = view !== 'signin' && state.user
    ? `${state.user.name} (${state.user.agency ?? state.user.role})` : '';
  document.body.dataset.view = view;
}

// The view the address asks for: #case/<digits>, #coord (for a manager or
// a coordinator) or the queue.
function route(focus) {
  if (!state.user) return;
  const code = caseRoute(location.hash);
  if (location.hash === '#coord' && figures()) {
    $('queue-note').textContent = '';
    show('coord');
    loadCoord(focus);
  } else if (code) {
    $('queue-note').textContent = '';
    show('case');
    loadCase(code, focus);
  } else {
    show('queue');
    if (focus) $('queue-h').focus();
  }
}

// Whether the language was chosen on the sign-in page: that choice is the
// user's then, else the user gets the language chosen last time.
let langChosen = false;

function signedIn(user) {
  state.user = user;
  state.csrf = user.csrf;
  const mine = localStorage.getItem(`hbm.lang.${user.login}`);
  if (!langChosen && mine && mine !== state.lang) setLang(mine);
  else localStorage.setItem(`hbm.lang.${user.login}`, state.lang);
  langChosen = false;
  $('queue-state').textContent = t('loading');
  route();
  poll();
}

function signedOut() {
  clearTimeout(state.timer);
  state.timer = null;
  state.user = null;
  state.csrf = null;
  state.cases = [];
  resetCoord();
  renderQueue();
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
  renderQueue();
  if (state.user) state.timer = setTimeout(poll, POLL_MS);
}

// A declined case is another agency's now: back to the queue, which no
// longer lists it.
function declined(code) {
  state.cases = state.cases.filter((c) => c.code.replace(/\D/g, '') !== code);
  location.hash = '#queue';
  $('queue-note').textContent = t('declined_done');
  poll();
}

async function start() {
  $('signin-form').addEventListener('submit', onSignIn);
  $('signout').addEventListener('click', onSignOut);
  $('lang').addEventListener('change', (e) => {
    if (!state.user) langChosen = true;
    setLang(e.target.value);
  });
  // The skip link moves the focus, not the address (that is the route).
  $('skip').addEventListener('click', (e) => {
    e.preventDefault();
    $('main').focus();
  });
  window.addEventListener('hashchange', () => route(true));
  window.addEventListener('hbm-signedout', signedOut);
  initQueue(poll);
  initCase(declined);
  startClock();
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
