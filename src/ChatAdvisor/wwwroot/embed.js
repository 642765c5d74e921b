// The chat widget for any site, added with one tag:
//   <script src="https://advisor.example/embed.js" async></script>
// Optional attributes on that tag: data-title (the panel's title), data-accent (a #rgb or #rrggbb colour),
// data-position ("right", the default, or "left"), data-open ("true": open on the first page of a visit),
// data-starters ("false": no starter questions under the welcome).
//
// It adds a launcher button; the button opens a panel that frames the advisor's /embed page: the advisor's own web chat
// page in its embed mode, on the advisor's origin, so its styles and the host page's never meet, its conversation is
// kept the way the advisor's page keeps it (sessionStorage of the frame), and the advisor decides which sites may frame
// it (Embed:AllowedOrigins → Content-Security-Policy: frame-ancestors). The button and the panel's frame live in a
// shadow root, so the host page's CSS does not reach them either.
//
// Before it shows anything it asks the advisor whether this site may embed it; if not, it says why in the browser
// console and adds nothing.
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || !script.src) return;

  var OPEN_KEY = 'chatadvisor.embed.open';
  var base = new URL('./', script.src);
  var data = script.dataset;
  var title = (data.title || '').trim().slice(0, 60) || 'ChatAdvisor';
  var accent = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(data.accent || '') ? data.accent : null;
  var left = data.position === 'left';
  var openOnLoad = data.open === 'true';
  var starters = data.starters !== 'false';

  function warn(message) {
    if (window.console) console.error('ChatAdvisor chat widget: ' + message);
  }

  // A white or a near-black text, whichever contrasts more with the colour.
  function inkOn(hex) {
    var full = hex.length === 4 ? '#' + hex[1] + hex[1] + hex[2] + hex[2] + hex[3] + hex[3] : hex;
    var linear = [1, 3, 5].map(function (i) {
      var c = parseInt(full.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
    return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.063 ? '#ffffff' : '#1b1f24';
  }

  function remembered() {
    try {
      return window.sessionStorage.getItem(OPEN_KEY);
    } catch (e) {
      return null;
    }
  }

  function remember(open) {
    try {
      window.sessionStorage.setItem(OPEN_KEY, open ? '1' : '0');
    } catch (e) {
      // Storage off: the panel just starts closed on the next page.
    }
  }

  var ICON_CHAT = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H10l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>';
  var ICON_CLOSE = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg>';

  function styles() {
    var background = accent || '#0b5cad';
    var side = left ? 'left' : 'right';
    return ':host{all:initial}' +
      '.launcher{position:fixed;bottom:20px;' + side + ':20px;z-index:2147483000;width:56px;height:56px;padding:0;border:0;' +
      'border-radius:50%;background:' + background + ';color:' + inkOn(background) + ';box-shadow:0 4px 14px rgba(0,0,0,.3);' +
      'cursor:pointer;display:flex;align-items:center;justify-content:center}' +
      '.launcher svg{width:28px;height:28px}' +
      '.launcher:focus-visible{outline:3px solid #f2a900;outline-offset:3px}' +
      '.panel{position:fixed;bottom:88px;' + side + ':20px;z-index:2147483000;width:400px;max-width:calc(100vw - 40px);' +
      'height:min(640px,calc(100vh - 108px));border:1px solid rgba(0,0,0,.15);border-radius:12px;overflow:hidden;' +
      'background:#f6f7f9;box-shadow:0 8px 30px rgba(0,0,0,.3)}' +
      '.panel[hidden]{display:none}' +
      '.panel iframe{display:block;width:100%;height:100%;border:0}' +
      '@media (prefers-color-scheme:dark){.panel{background:#0d1117;border-color:#3a424d}}' +
      // A phone: the open panel takes the screen (its own close button brings the launcher back).
      '@media (max-width:480px){.panel{inset:0;width:100%;max-width:none;height:100%;height:100dvh;border:0;border-radius:0}' +
      '.launcher[aria-expanded="true"]{display:none}}';
  }

  function build() {
    if (document.querySelector('[data-chatadvisor-widget]')) return; // the tag is on the page twice
    var host = document.createElement('div');
    host.setAttribute('data-chatadvisor-widget', '');
    var root = host.attachShadow({ mode: 'open' });

    var style = document.createElement('style');
    style.textContent = styles();

    var launcher = document.createElement('button');
    launcher.type = 'button';
    launcher.className = 'launcher';
    launcher.setAttribute('aria-label', 'Chat with ' + title);
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-controls', 'chatadvisor-panel');
    launcher.title = 'Chat with ' + title;
    launcher.innerHTML = ICON_CHAT;

    var panel = document.createElement('div');
    panel.id = 'chatadvisor-panel';
    panel.className = 'panel';
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', title);
    panel.hidden = true;

    root.appendChild(style);
    root.appendChild(launcher);
    root.appendChild(panel);
    document.body.appendChild(host);

    var frame = null;
    var frameReady = false;
    var focusWanted = false;

    function createFrame() {
      if (frame) return;
      var address = new URL('embed', base);
      address.searchParams.set('title', title);
      if (accent) {
        address.searchParams.set('accent', accent);
        address.searchParams.set('ink', inkOn(accent));
      }
      if (!starters) address.searchParams.set('starters', 'false');
      frame = document.createElement('iframe');
      frame.title = title + ' chat';
      frame.src = address.href;
      frame.allow = 'clipboard-write';
      frame.addEventListener('load', function () {
        frameReady = true;
        if (focusWanted && !panel.hidden) giveFocus();
      });
      panel.appendChild(frame);
    }

    function giveFocus() {
      focusWanted = true;
      frame.focus();
      if (frameReady) frame.contentWindow.postMessage({ source: 'chatadvisor-host', type: 'focus' }, base.origin);
    }

    function open(withFocus) {
      createFrame();
      panel.hidden = false;
      launcher.setAttribute('aria-expanded', 'true');
      launcher.innerHTML = ICON_CLOSE;
      remember(true);
      if (withFocus) giveFocus();
    }

    function close() {
      focusWanted = false;
      panel.hidden = true;
      launcher.setAttribute('aria-expanded', 'false');
      launcher.innerHTML = ICON_CHAT;
      remember(false);
      launcher.focus();
    }

    launcher.addEventListener('click', function () {
      if (panel.hidden) open(true);
      else close();
    });
    // The panel's page starts loading while the pointer is on its way to the button.
    launcher.addEventListener('pointerenter', createFrame);
    root.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !panel.hidden) close();
    });
    // The panel asks to close (its close button, or Esc inside it).
    window.addEventListener('message', function (event) {
      if (!frame || event.source !== frame.contentWindow || event.origin !== base.origin) return;
      if (event.data && event.data.source === 'chatadvisor' && event.data.type === 'close' && !panel.hidden) close();
    });

    // The panel stays open from page to page of the visit; the conversation in it is kept by the frame itself.
    var state = remembered();
    if (state === '1' || (state === null && openOnLoad)) open(false);
  }

  // May this site show the widget? The advisor answers from Embed:AllowedOrigins; a refusal is said, not silent.
  fetch(new URL('api/embed/access', base).href, { mode: 'cors', credentials: 'omit', cache: 'no-store' })
    .then(function (response) {
      if (response.ok) {
        if (document.body) build();
        else document.addEventListener('DOMContentLoaded', build);
        return;
      }
      return response.json().catch(function () { return null; }).then(function (problem) {
        warn('not shown. ' + (problem && problem.detail ? problem.detail : 'The advisor at ' + base.origin + ' answered ' + response.status + '.'));
      });
    }, function () {
      warn('not shown: the advisor at ' + base.origin + ' cannot be reached.');
    });
})();
