// The TEAMS chat widget, for any site:
//   <script src="https://BOT/widget.js" data-lang="ar" data-start="school"
//           data-position="left" defer></script>
// It adds one element to the page, whose content lives in a shadow root:
// a button and, once opened, an iframe of the chat. It reads nothing of the
// page but its own script tag, stores nothing and requests nothing itself.
(function () {
  'use strict';

  const script = document.currentScript;
  if (!script || !script.src) return;
  let origin;
  try { origin = new URL(script.src).origin; } catch (e) { return; }
  const data = script.dataset;
  const given = /^[a-z]{2,3}$/.test(data.lang || '') ? data.lang : '';
  const start = /^[a-z0-9_-]{1,64}$/.test(data.start || '') ? data.start : '';
  const left = data.position === 'left';

  // Button label and close label in the languages of the bot.
  const LABELS = {
    it: ['Chat', 'Chiudi la chat'],
    en: ['Chat', 'Close the chat'],
    fr: ['Chat', 'Fermer le chat'],
    ar: ['دردشة', 'إغلاق الدردشة'],
    sq: ['Bisedë', 'Mbyll bisedën'],
    zh: ['聊天', '关闭聊天'],
    uk: ['Чат', 'Закрити чат'],
    ur: ['چیٹ', 'چیٹ بند کریں'],
    bn: ['চ্যাট', 'চ্যাট বন্ধ করুন'],
    es: ['Chat', 'Cerrar el chat'],
    prs: ['گفتگو', 'بستن گفتگو'],
    tl: ['Chat', 'Isara ang chat'],
  };
  const RTL = ['ar', 'ur', 'prs'];
  let lang = given;
  if (!lang) {
    const nav = String(navigator.language || '').toLowerCase().split('-')[0];
    lang = nav === 'fa' ? 'prs' : nav;
  }
  if (!LABELS[lang]) lang = 'en';
  const [label, closeLabel] = LABELS[lang];
  const title = 'TEAMS – ' + label;

  const CSS = `
:host { all: initial; }
[hidden] { display: none !important; }
.w { font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: #1a1a1a; }
button { font: inherit; cursor: pointer; margin: 0; }
.vh { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0; }
.open { position: fixed; bottom: 16px; right: 16px; z-index: 2147483000;
  display: flex; align-items: center; gap: 8px; min-width: 56px; min-height: 56px; padding: 0 20px;
  border: 2px solid #fff; border-radius: 28px; background: #0b5cad; color: #fff; font-weight: 600;
  box-shadow: 0 2px 8px rgba(0, 0, 0, .35); }
.left .open { right: auto; left: 16px; }
.open:hover { background: #084a8c; }
.open:focus-visible { outline: 3px solid #fff; outline-offset: 0; box-shadow: 0 0 0 7px #1a1a1a; }
.icon { font-size: 22px; line-height: 1; }
.dot { position: absolute; top: -4px; right: -4px; width: 16px; height: 16px;
  border: 2px solid #fff; border-radius: 50%; background: #c62828; }
.left .dot { right: auto; left: -4px; }
.panel { position: fixed; bottom: 88px; right: 16px; z-index: 2147483001;
  display: flex; flex-direction: column; width: min(400px, calc(100vw - 32px));
  height: min(640px, calc(100vh - 96px)); background: #fff; border: 1px solid #6b7785;
  border-radius: 12px; overflow: hidden; box-shadow: 0 4px 24px rgba(0, 0, 0, .3); }
.left .panel { right: auto; left: 16px; }
.bar { display: flex; justify-content: flex-end; padding: 4px; background: #fff; border-bottom: 1px solid #d0d7de; }
.close { min-width: 44px; min-height: 44px; padding: 0 12px; border: 2px solid #0b5cad;
  border-radius: 8px; background: #fff; color: #0b5cad; }
.close:hover { background: #dbe9f8; }
.close:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
iframe { flex: 1 1 auto; display: block; width: 100%; min-height: 0; border: 0; background: #fff; }
@media (max-width: 479.98px) {
  .panel, .left .panel { top: 0; right: 0; bottom: 0; left: 0; width: 100%; height: 100%;
    border: 0; border-radius: 0; }
}
@media (forced-colors: active) { .open, .close { border: 2px solid ButtonText; } }
@media (prefers-reduced-motion: reduce) { * { animation: none !important; transition: none !important; } }
`;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function mount() {
    const host = document.createElement('teamsbot-chat');
    const root = host.attachShadow({ mode: 'closed' });
    const wrap = el('div', left ? 'w left' : 'w');
    wrap.lang = lang;
    wrap.dir = RTL.includes(lang) ? 'rtl' : 'ltr';

    const btn = el('button', 'open');
    btn.type = 'button';
    btn.setAttribute('aria-expanded', 'false');
    btn.setAttribute('aria-controls', 'teamsbot-panel');
    const icon = el('span', 'icon', '💬');
    icon.setAttribute('aria-hidden', 'true');
    const dot = el('span', 'dot');
    dot.setAttribute('aria-hidden', 'true');
    dot.hidden = true;
    const news = el('span', 'vh');
    btn.append(icon, el('span', '', label), news, dot);

    const panel = el('div', 'panel');
    panel.id = 'teamsbot-panel';
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', title);
    panel.hidden = true;
    const bar = el('div', 'bar');
    const close = el('button', 'close');
    close.type = 'button';
    const x = el('span', '', '✕ ');
    x.setAttribute('aria-hidden', 'true');
    close.append(x, el('span', '', closeLabel));
    bar.appendChild(close);
    panel.appendChild(bar);

    wrap.append(panel, btn);
    // A constructed style sheet is not inline style for the page's CSP;
    // a <style> element is the fallback (Safari before 16.4).
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      const style = el('style');
      style.textContent = CSS;
      root.appendChild(style);
    }
    root.appendChild(wrap);
    (document.body || document.documentElement).appendChild(host);

    let frame = null;
    let isOpen = false;

    function focusFrame() {
      if (!frame || !isOpen) return;
      frame.focus();
      try { frame.contentWindow.postMessage({ teamsbot: 'focus' }, origin); } catch (e) { /* not loaded */ }
    }

    function open() {
      if (!frame) {
        const q = new URLSearchParams({ embed: '1' });
        if (given) q.set('lang', given);
        if (start) q.set('start', start);
        frame = el('iframe');
        frame.title = title;
        frame.allow = 'geolocation';
        frame.src = origin + '/chat?' + q.toString();
        frame.addEventListener('load', focusFrame);
        panel.appendChild(frame);
      }
      isOpen = true;
      panel.hidden = false;
      btn.setAttribute('aria-expanded', 'true');
      dot.hidden = true;
      news.textContent = '';
      focusFrame();
    }

    function shut() {
      if (!isOpen) return;
      isOpen = false;
      panel.hidden = true;
      btn.setAttribute('aria-expanded', 'false');
      btn.focus();
    }

    btn.addEventListener('click', () => (isOpen ? shut() : open()));
    close.addEventListener('click', shut);
    root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && isOpen) {
        e.preventDefault();
        shut();
      }
    });
    // The chat in the iframe asks to close (Escape pressed inside it) or
    // says a reply arrived while the panel is closed.
    window.addEventListener('message', (e) => {
      if (!frame || e.origin !== origin || e.source !== frame.contentWindow) return;
      const d = e.data;
      if (!d || typeof d !== 'object') return;
      if (d.teamsbot === 'close') shut();
      else if (d.teamsbot === 'new' && !isOpen) {
        dot.hidden = false;
        news.textContent = typeof d.label === 'string' ? ' – ' + d.label.slice(0, 80) : '';
      }
    });
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
