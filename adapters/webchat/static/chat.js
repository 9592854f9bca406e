// The web chat page: messages go up with POST, replies come down as
// Server-Sent Events read with fetch. Texts only ever go in as textContent.
(function () {
'use strict';

const API = '/chat/api/';
const K_TOKEN = 'teamsbot.chat.token';
const K_LAST = 'teamsbot.chat.last';
const $ = (id) => document.getElementById(id);
const html = document.documentElement;
const log = $('chat-log'); // the scrolling region
const form = $('chat-form');
const input = $('chat-input');
const sendBtn = $('chat-send');
const tools = $('chat-tools');
const statusEl = $('chat-status');
if (!log || !form || !input) return;

let cfg = {};
try { cfg = JSON.parse($('chat-config').textContent) || {}; } catch (e) { /* defaults */ }
const texts = cfg.texts || {};
const rtl = Array.isArray(cfg.rtl) ? cfg.rtl : ['ar', 'ur', 'prs'];
const startParam = typeof cfg.start === 'string' ? cfg.start : '';
const embed = !!cfg.embed || document.body.classList.contains('embed');
const inFrame = window.parent !== window;
let lang = validLang(cfg.lang) ? cfg.lang : (html.lang || 'it');

// localStorage when it works, memory otherwise (private mode).
const mem = {};
function load(k) {
  try { const v = localStorage.getItem(k); if (v !== null) return v; } catch (e) { /* memory */ }
  return k in mem ? mem[k] : null;
}
function save(k, v) {
  if (v === null) delete mem[k]; else mem[k] = v;
  try { if (v === null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) { /* memory */ }
}

function validLang(l) { return typeof l === 'string' && /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(l); }
function dirOf(l) { return rtl.includes(String(l).split('-')[0]) ? 'rtl' : 'ltr'; }
function t(k) {
  for (const l of [lang, 'en', 'it']) {
    const s = texts[l] && texts[l][k];
    if (typeof s === 'string' && s) return s;
  }
  return '';
}
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}
function rid() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// ---- Header, form and texts ----

function tool(key, fn) {
  const b = el('button', 'tool');
  b.type = 'button';
  b.dataset.k = key;
  b.addEventListener('click', fn);
  tools.appendChild(b);
  return b;
}
const langBtn = tool('language', () => command('c:language', t('language')));
const opBtn = tool('operator', () => command('c:operator', t('operator')));
const locBtn = tool('location', shareLocation);
locBtn.classList.add('primary');
let locAsk = '';

function applyTexts() {
  html.lang = lang;
  html.dir = dirOf(lang);
  $('chat-title').textContent = t('title');
  document.title = t('title');
  $('chat-input-label').textContent = t('input');
  input.placeholder = t('input');
  form.setAttribute('aria-label', t('input'));
  sendBtn.textContent = t('send');
  langBtn.textContent = t('language');
  opBtn.textContent = t('operator');
  locBtn.textContent = t('location') || locAsk;
  locBtn.hidden = !locAsk;
}

function setLang(l) {
  if (l === lang) return;
  lang = l;
  applyTexts();
}

// The bubbles go in `feed`, the role=log live region. A <main> may not
// have role=log (ARIA in HTML): then the log is a <div> inside it.
let feed = log;
if (log.tagName === 'MAIN') {
  feed = el('div');
  for (const a of ['role', 'aria-live', 'aria-relevant']) {
    feed.setAttribute(a, log.getAttribute(a) || { role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions' }[a]);
    log.removeAttribute(a);
  }
  log.appendChild(feed);
}
feed.classList.add('feed');
feed.setAttribute('aria-labelledby', 'chat-title');
// The log scrolls by itself: it must be reachable by keyboard.
log.tabIndex = 0;

let statusTimer = 0;
let offline = false;
function status(key, ms) {
  clearTimeout(statusTimer);
  statusEl.textContent = key ? t(key) : (offline ? t('offline') : '');
  if (ms) statusTimer = setTimeout(() => status(''), ms);
}
function setOffline() {
  if (!offline) { offline = true; status('offline'); }
}
function setOnline() {
  if (offline) { offline = false; status('online', 3000); }
}

// The text box grows with its text up to five lines.
function grow() {
  input.style.height = 'auto';
  const cs = getComputedStyle(input);
  const px = (k) => parseFloat(cs[k]) || 0;
  const border = px('borderTopWidth') + px('borderBottomWidth');
  const max = (px('lineHeight') || 22) * 5 + px('paddingTop') + px('paddingBottom') + border;
  const want = input.scrollHeight + border;
  input.style.height = Math.min(want, max) + 'px';
  input.style.overflowY = want > max ? 'auto' : 'hidden';
}

// ---- Rendering ----

// Scrolls this document only (scrollIntoView could scroll a host page
// around the widget's iframe).
function reveal(turn, top) {
  if (log.scrollHeight > log.clientHeight + 1) {
    log.scrollTop = top ? turn.offsetTop - 8 : log.scrollHeight;
  } else {
    const y = window.scrollY + turn.getBoundingClientRect().top - 8;
    window.scrollTo(0, top ? y : document.documentElement.scrollHeight);
  }
}
function nearBottom() {
  return log.scrollHeight - log.scrollTop - log.clientHeight < 96;
}

function bubble(cls, who, l, dir) {
  const turn = el('div', 'turn ' + cls);
  const msg = el('div', 'msg');
  if (l) msg.lang = l;
  msg.dir = dir;
  msg.appendChild(el('span', 'visually-hidden', who + ': '));
  turn.appendChild(msg);
  return turn;
}

function linkify(p, text) {
  const re = /https?:\/\/[^\s<>"'\u200e\u200f\u2066-\u2069]+/gi;
  let at = 0;
  let m;
  while ((m = re.exec(text))) {
    let url = m[0];
    // Punctuation after a link is the sentence's, and so is a closing
    // parenthesis the URL did not open.
    for (;;) {
      const c = url.slice(-1);
      if (/[.,;:!?'"»”’\]}>]/.test(c) ||
        (c === ')' && url.split(')').length > url.split('(').length)) url = url.slice(0, -1);
      else break;
    }
    let ok = false;
    try { ok = /^https?:$/.test(new URL(url).protocol); } catch (e) { ok = false; }
    if (!ok) continue;
    p.appendChild(document.createTextNode(text.slice(at, m.index)));
    const a = el('a', '', url);
    a.href = url;
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    a.dir = 'ltr';
    p.appendChild(a);
    at = m.index + url.length;
    re.lastIndex = at;
  }
  p.appendChild(document.createTextNode(text.slice(at)));
}

function userBubble(text, dir) {
  const turn = bubble('user', t('you'), lang, dir || 'auto');
  turn.firstChild.appendChild(el('p', 'text', text));
  feed.appendChild(turn);
  reveal(turn, false);
  return turn;
}

function disableOld() {
  const old = feed.querySelectorAll('.opts button:not([disabled])');
  const had = Array.prototype.includes.call(old, document.activeElement);
  old.forEach((b) => { b.disabled = true; });
  // A disabled button loses focus: give it to the log, not to the text
  // box (that would open the keyboard on a phone).
  if (had) log.focus({ preventScroll: true });
}

function renderReply(d, live) {
  const op = d.operator === true;
  const l = validLang(d.lang) ? d.lang : '';
  if (!op && l) setLang(l);
  // No language (the language picker, in every language): each line its own.
  const dir = !l ? 'auto' : d.dir === 'rtl' || d.dir === 'ltr' ? d.dir : dirOf(l);
  const follow = nearBottom() || !live;
  const turn = bubble(op ? 'op' : 'bot', op ? t('operator_name') : t('bot'), l, dir);
  const text = typeof d.text === 'string' ? d.text : '';
  if (text) {
    const p = el('p', 'text');
    linkify(p, text);
    turn.firstChild.appendChild(p);
  } else {
    turn.firstChild.remove();
  }
  const opts = Array.isArray(d.options) ? d.options.filter((o) =>
    o && typeof o.id === 'string' && o.id && typeof o.label === 'string') : [];
  if (opts.length) {
    disableOld();
    const list = opts.length > 3;
    const g = el('div', list ? 'opts list' : 'opts');
    g.setAttribute('role', 'group');
    if (typeof d.choose === 'string' && d.choose) g.setAttribute('aria-label', d.choose);
    if (l) g.lang = l;
    g.dir = dir;
    opts.forEach((o, i) => {
      const b = el('button');
      b.type = 'button';
      // Numbered: typing the number answers too.
      if (list) b.appendChild(el('span', 'n', (i + 1) + '. '));
      b.appendChild(el('bdi', '', o.label));
      b.addEventListener('click', () => command(o.id, o.label));
      g.appendChild(b);
    });
    turn.appendChild(g);
  }
  if (!op) {
    locAsk = typeof d.location === 'string' ? d.location : '';
    applyTexts();
  }
  if (!turn.firstChild) return;
  feed.appendChild(turn);
  if (follow) reveal(turn, turn.offsetHeight > log.clientHeight * 0.8);
  // The widget shows a dot on its button while it is closed.
  if (live && embed && inFrame) window.parent.postMessage({ teamsbot: 'new', label: t('new') }, '*');
}


// ---- Token ----

let token = load(K_TOKEN);
let tokenP = null;
let lastSeen = 0; // this page has shown nothing yet: the stream replays
let loadLast = Number(load(K_LAST)) || 0;

function req(path, body, tok, ms) {
  const h = { 'X-Teamsbot-Chat': '1' };
  if (tok) h.Authorization = 'Bearer ' + tok;
  if (body) h['Content-Type'] = 'application/json';
  const c = new AbortController();
  const tm = setTimeout(() => c.abort(), ms);
  return fetch(API + path, {
    method: 'POST', headers: h, body: body ? JSON.stringify(body) : null,
    signal: c.signal,
  }).finally(() => clearTimeout(tm));
}
function readJSON(r) { return r.json().catch(() => ({})); }
function retryAfter(r, j) {
  const s = Number(j && j.retry) || Number(r.headers.get('Retry-After')) || 3;
  return Math.min(Math.max(s, 1), 120) * 1000;
}

function ensureToken() {
  if (token) return Promise.resolve(token);
  if (!tokenP) {
    tokenP = (async () => {
      try {
        const r = await req('start', null, '', 20000);
        const j = await readJSON(r);
        if (r.status === 429) slowUntil = Date.now() + retryAfter(r, j);
        if (!r.ok || !j || typeof j.token !== 'string' || !j.token) throw new Error('start ' + r.status);
        token = j.token;
        save(K_TOKEN, token);
        startStream();
        return token;
      } finally {
        tokenP = null;
      }
    })();
  }
  return tokenP;
}

// renew replaces a token the server no longer knows (expired, or the
// user deleted their data): the old conversation is gone.
async function renew(old, fromStream) {
  if (token && token !== old) return token;
  if (token === old) {
    token = null;
    save(K_TOKEN, null);
    lastSeen = 0;
    loadLast = 0;
    save(K_LAST, null);
    const keep = outbox.map((m) => m.el).filter(Boolean);
    feed.textContent = '';
    keep.forEach((e) => feed.appendChild(e));
    locAsk = '';
    applyTexts();
    restartStream();
    if (fromStream && startParam && !outbox.length) enqueue({ start: startParam });
  }
  return ensureToken();
}

// ---- Sending: one queue, in order, same id on every retry ----

const outbox = [];
let pumping = false;
let slowUntil = 0;
let sendDelay = 1000;
let sendTimer = 0;

function enqueue(body, echo, restore, dir) {
  if (outbox.length >= 10) {
    status('error', 8000);
    return false;
  }
  const m = { body: Object.assign({ id: rid() }, body), restore: restore ? echo : '', tries: 0 };
  // Shown at once, dashed until the server took it.
  if (echo) {
    m.el = userBubble(echo, dir);
    m.el.classList.add('pending');
  }
  outbox.push(m);
  pump();
  return true;
}

function drop(m) {
  outbox.splice(outbox.indexOf(m), 1);
  if (m.el) m.el.remove();
  if (m.restore) {
    input.value = input.value.trim() ? m.restore + '\n' + input.value : m.restore;
    grow();
  }
}

function later() {
  clearTimeout(sendTimer);
  sendTimer = setTimeout(pump, sendDelay);
  sendDelay = Math.min(sendDelay * 2, 30000);
}

async function pump() {
  if (pumping) return;
  pumping = true;
  clearTimeout(sendTimer);
  try {
    while (outbox.length) {
      const m = outbox[0];
      const wait = slowUntil - Date.now();
      if (wait > 0) {
        sendTimer = setTimeout(pump, wait);
        break;
      }
      let r;
      try {
        const tok = await ensureToken();
        r = await req('send', m.body, tok, 30000);
        if (r.status === 401 && !m.re) {
          m.re = true;
          await renew(tok, false);
          continue;
        }
      } catch (e) {
        if (Date.now() >= slowUntil) setOffline();
        later();
        break;
      }
      if (r.ok) {
        outbox.shift();
        if (m.el) m.el.classList.remove('pending');
        sendDelay = 1000;
        if (offline && streamUp) setOnline();
        continue;
      }
      const j = await readJSON(r);
      if (r.status === 429) {
        const ms = retryAfter(r, j);
        slowUntil = Date.now() + ms;
        drop(m);
        status('slow', ms);
        continue;
      }
      if ((r.status >= 500 || r.status === 408) && ++m.tries < 5) {
        later();
        break;
      }
      drop(m);
      status('error', 8000);
    }
  } finally {
    pumping = false;
  }
}

function command(option, label) {
  enqueue({ option: option }, label);
}

function submit() {
  const text = input.value.trim();
  if (!text) { input.focus(); return; }
  if (Date.now() < slowUntil) {
    status('slow', slowUntil - Date.now());
    input.focus();
    return;
  }
  input.value = '';
  grow();
  enqueue({ text: text }, text, true);
  input.focus();
}

function shareLocation() {
  const g = navigator.geolocation;
  if (!g) { input.focus(); return; }
  g.getCurrentPosition((p) => {
    const lat = Math.round(p.coords.latitude * 1e5) / 1e5;
    const lon = Math.round(p.coords.longitude * 1e5) / 1e5;
    locAsk = '';
    applyTexts();
    enqueue({ location: { lat: lat, lon: lon } }, '📍 ' + lat.toFixed(4) + ', ' + lon.toFixed(4), false, 'ltr');
    input.focus();
  }, () => input.focus(), { timeout: 10000, maximumAge: 300000, enableHighAccuracy: false });
}

// ---- Receiving: SSE over fetch ----

let streaming = false;
let streamUp = false;
let streamCtrl = null;
let restart = false;
let wakeFn = null;

function sleep(ms) {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(tm); wakeFn = null; resolve(); };
    const tm = setTimeout(done, ms);
    wakeFn = done;
  });
}
function wake() { if (wakeFn) wakeFn(); }

function startStream() {
  if (streaming) return;
  streaming = true;
  streamLoop();
}
function restartStream() {
  restart = true;
  if (streamCtrl) streamCtrl.abort();
  wake();
}

function onEvent(type, raw, id) {
  let live = true;
  if (id !== null && /^\d+$/.test(id)) {
    const n = Number(id);
    if (n <= lastSeen) return;
    lastSeen = n;
    live = n > loadLast;
    save(K_LAST, String(n));
  }
  if (type !== 'reply' && type !== 'message') return;
  let d;
  try { d = JSON.parse(raw); } catch (e) { return; }
  if (d && typeof d === 'object') renderReply(d, live);
}

async function readEvents(body, ctrl) {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let skipLF = false;
  let data = [];
  let type = '';
  let id = null;
  let dog = 0;
  // Keep-alives come every 20 s or so: a silent minute is a dead line.
  const kick = () => { clearTimeout(dog); dog = setTimeout(() => ctrl.abort(), 60000); };
  const line = (l) => {
    if (l === '') {
      if (data.length) onEvent(type || 'message', data.join('\n'), id);
      data = []; type = ''; id = null;
      return;
    }
    if (l[0] === ':') return;
    const c = l.indexOf(':');
    const f = c < 0 ? l : l.slice(0, c);
    let v = c < 0 ? '' : l.slice(c + 1);
    if (v[0] === ' ') v = v.slice(1);
    if (f === 'data') data.push(v);
    else if (f === 'event') type = v;
    else if (f === 'id' && !v.includes('\0')) id = v;
  };
  kick();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      kick();
      let s = dec.decode(value, { stream: true });
      if (skipLF && s) {
        if (s[0] === '\n') s = s.slice(1);
        skipLF = false;
      }
      if (!s) continue;
      skipLF = s.endsWith('\r');
      buf += s;
      const lines = buf.split(/\r\n|\r|\n/);
      buf = lines.pop();
      lines.forEach(line);
    }
  } finally {
    clearTimeout(dog);
  }
}

async function streamLoop() {
  let delay = 1000;
  let n401 = 0;
  for (;;) {
    let quick = false;
    try {
      const tok = await ensureToken();
      restart = false;
      const ctrl = new AbortController();
      streamCtrl = ctrl;
      const h = { 'X-Teamsbot-Chat': '1', Authorization: 'Bearer ' + tok };
      if (lastSeen > 0) h['Last-Event-ID'] = String(lastSeen);
      const r = await fetch(API + 'events', { headers: h, signal: ctrl.signal, cache: 'no-store' });
      if (r.status === 401 && ++n401 <= 2) {
        await renew(tok, true);
        continue;
      }
      if (!r.ok || !r.body) throw new Error('events ' + r.status);
      n401 = 0;
      delay = 1000;
      streamUp = true;
      setOnline();
      if (outbox.length) pump();
      const since = Date.now();
      await readEvents(r.body, ctrl);
      // The server ends each stream after a few minutes: reconnect at
      // once, and say nothing unless that fails.
      quick = Date.now() - since > 10000;
    } catch (e) {
      quick = false;
    }
    streamUp = false;
    streamCtrl = null;
    if (restart) { restart = false; continue; }
    if (quick) continue;
    setOffline();
    await sleep(delay);
    delay = Math.min(delay * 2, 30000);
  }
}

// ---- Events of the page ----

form.addEventListener('submit', (e) => {
  e.preventDefault();
  submit();
});
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
    e.preventDefault();
    submit();
  }
});
input.addEventListener('input', grow);
window.addEventListener('resize', grow);
window.addEventListener('online', () => { wake(); sendDelay = 1000; pump(); });
document.addEventListener('visibilitychange', () => { if (!document.hidden) wake(); });
if (embed && inFrame) {
  // Inside the widget: Escape closes it, and it may ask for focus.
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') window.parent.postMessage({ teamsbot: 'close' }, '*');
  });
  window.addEventListener('message', (e) => {
    if (e.source !== window.parent || !e.data || e.data.teamsbot !== 'focus') return;
    const touch = window.matchMedia && !window.matchMedia('(pointer: fine)').matches;
    (touch ? log : input).focus({ preventScroll: true });
  });
}

// ---- Start ----

applyTexts();
grow();
if (!token) save(K_LAST, null);
// A new conversation (or one that never had a reply) opens the flow of
// ?start=; without one, the first message of the user starts it.
if (startParam && (!token || !loadLast)) enqueue({ start: startParam });
if (token) startStream();
})();
