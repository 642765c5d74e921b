// The web chat page: lists the articles, connects to this server's Direct Line endpoint and shows the unmodified
// Web Chat widget. No secret ever reaches the page.
//
// The connection is the page's own small Direct Line 3.0 client (ChatConnection below) rather than DirectLineJS, so
// that it can:
// - resume the conversation after a reload: the conversation id, its token and the watermark are kept in
//   sessionStorage (per tab: two tabs never fight over one conversation's stream, and the token, a bearer
//   credential, is gone when the tab closes); on load the token is refreshed and the transcript replayed;
// - reconnect at once when the network comes back (with a short back-off otherwise), showing that it does;
// - keep messages typed while offline and send each exactly once, in order, when the connection is back (the server
//   also ignores a re-post of an activity id it already has, so a post whose answer was lost is not answered twice).
//
// The same script runs the chat panel that embed.js puts on other sites (embed.html, "embed mode"): the same
// conversation path, with the panel's title, accent colour and starter questions taken from its address, and a close
// button and Esc that ask the host page to close the panel.
(function () {
  'use strict';

  var STORAGE_KEY = 'chatadvisor.conversation';
  var DOMAIN = new URL('v3/directline', window.location.href).href.replace(/\/$/, '');
  var UNREACHABLE = 'The chat service cannot be reached right now. Check your connection, then try again.';

  var statusBox = document.getElementById('status');
  var articleList = document.getElementById('articles');
  var loadingText = document.getElementById('loading-text');
  var articles = [];
  var embedded = document.documentElement.classList.contains('embedded');
  var embedParams = new URLSearchParams(window.location.search);
  var HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
  var embedAccent = embedded && HEX_COLOUR.test(embedParams.get('accent') || '') ? embedParams.get('accent') : null;
  var showStarters = !embedded || embedParams.get('starters') !== 'false';

  // ---------------------------------------------------------------------------------------------------------------
  // Status line

  function showStatus(message, options) {
    options = options || {};
    statusBox.textContent = message + ' ';
    statusBox.className = options.notice ? 'status notice' : 'status';
    statusBox.setAttribute('role', options.notice ? 'status' : 'alert');
    if (options.action) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = options.action.label;
      button.addEventListener('click', options.action.run);
      statusBox.appendChild(button);
    }
    statusBox.hidden = false;
  }

  function hideStatus() {
    statusBox.hidden = true;
    statusBox.textContent = '';
  }

  // Performance marks for the browser tests (time to the first message, step by step); each is set once.
  function mark(name) {
    if (window.performance && performance.mark && !performance.getEntriesByName(name).length) performance.mark(name);
  }

  var reloadAction = { label: 'Try again', run: function () { window.location.reload(); } };

  // ---------------------------------------------------------------------------------------------------------------
  // The saved conversation (sessionStorage)

  function loadSession() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || 'null');
      return saved && saved.conversationId && saved.token ? saved : null;
    } catch (e) {
      return null;
    }
  }

  function saveSession(session) {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    } catch (e) {
      // Storage full or disabled: the conversation still works, it just does not survive a reload.
    }
  }

  function forgetSession() {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      // Nothing kept.
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Minimal observables, as Web Chat expects them from a Direct Line object (subscribe → { unsubscribe }).

  function Subject(initial, hasInitial) {
    var observers = [];
    var value = initial;
    return {
      subscribe: function (observer) {
        var o = typeof observer === 'function' ? { next: observer } : observer;
        observers.push(o);
        if (hasInitial && o.next) o.next(value);
        return { unsubscribe: function () { observers = observers.filter(function (x) { return x !== o; }); } };
      },
      next: function (v) {
        value = v;
        observers.slice().forEach(function (o) { if (o.next) o.next(v); });
      },
      getValue: function () { return value; }
    };
  }

  // DirectLineJS's connection states, which Web Chat reads.
  var Status = { Uninitialized: 0, Connecting: 1, Online: 2, ExpiredToken: 3, FailedToConnect: 4, Ended: 5 };

  function HttpError(status) {
    this.status = status;
    this.message = 'HTTP ' + status;
  }

  function request(method, url, token, body) {
    var headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(url, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) throw new HttpError(response.status);
        return response.status === 204 ? {} : response.json();
      });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // ChatConnection: a Direct Line 3.0 client over the WebSocket stream, with the DirectLineJS surface Web Chat uses
  // (activity$, connectionStatus$, postActivity, end, token).

  function ChatConnection(options) {
    var self = this;
    var token = options.token;
    var conversationId = options.conversationId || null;
    var watermark = options.watermark || '';
    var socket = null;
    var retryTimer = null;
    var watchdog = null;
    var refreshTimer = null;
    var attempts = 0;
    var ended = false;
    var started = false;
    var outbox = [];          // { activity, observer }: waiting to be posted, in order
    var posting = false;

    // Every subscriber gets the activities so far, then the new ones: the conversation starts (and its welcome is
    // composed) while the widget bundle is still loading, and Web Chat subscribes when it is ready. Web Chat keeps
    // an activity once per id, so a replay shows nothing twice.
    var received = [];
    self.activity$ = Subject();
    self.connectionStatus$ = Subject(Status.Uninitialized, true);
    Object.defineProperty(self, 'token', { get: function () { return token; } });
    Object.defineProperty(self, 'watermark', { get: function () { return watermark; } });

    var activitySubscribe = self.activity$.subscribe;
    var activityNext = self.activity$.next;
    self.activity$.subscribe = function (observer) {
      var subscription = activitySubscribe(observer);
      var o = typeof observer === 'function' ? { next: observer } : observer;
      received.forEach(function (activity) { if (o.next) o.next(activity); });
      self.start();
      return subscription;
    };
    self.activity$.next = function (activity) {
      received.push(activity);
      activityNext(activity);
    };

    self.start = function () {
      if (!started) {
        started = true;
        connect();
      }
    };

    var live = false;         // the stream is open
    var everOnline = false;

    // Web Chat hears of the first connection and of the end; a drop in between is this client's to handle. (Web
    // Chat stops taking outgoing messages while it believes a reconnect is under way, and the point is to keep them.)
    function setStatus(status) {
      live = status === Status.Online;
      if (live) everOnline = true;
      if (!(everOnline && status === Status.Connecting) && self.connectionStatus$.getValue() !== status) self.connectionStatus$.next(status);
      if (options.onStatus) options.onStatus(status);
    }

    function remember() {
      if (conversationId && options.onSession) options.onSession({ conversationId: conversationId, token: token, watermark: watermark });
    }

    function connect() {
      if (ended) return;
      clearTimeout(retryTimer);
      setStatus(Status.Connecting);
      var call = conversationId
        ? request('GET', DOMAIN + '/conversations/' + encodeURIComponent(conversationId) + '?watermark=' + encodeURIComponent(watermark), token)
        : request('POST', DOMAIN + '/conversations', token, { user: {}, locale: navigator.language || 'en-US' });
      call.then(function (conversation) {
        if (ended) return;
        conversationId = conversation.conversationId || conversationId;
        if (conversation.token) token = conversation.token;
        remember();
        open(conversation.streamUrl);
      }, function (error) {
        if (ended) return;
        if (error instanceof HttpError && (error.status === 401 || error.status === 403 || error.status === 404)) {
          // The conversation has ended on the server (restart, idle too long) or its token has expired.
          ended = true;
          setStatus(error.status === 404 ? Status.Ended : Status.ExpiredToken);
          if (options.onLost) options.onLost(error.status);
          return;
        }
        retryLater();
      });
    }

    function open(streamUrl) {
      var ws;
      try {
        ws = new WebSocket(streamUrl);
      } catch (e) {
        retryLater();
        return;
      }
      socket = ws;
      ws.onopen = function () {
        if (socket !== ws) return;
        attempts = 0;
        mark('chat:stream-open');
        setStatus(Status.Online);
        startRefresh();
        pump();
        watch();
      };
      ws.onmessage = function (message) {
        if (socket !== ws) return;
        watch();
        if (!message.data) return; // heartbeat
        mark('chat:first-activity');
        var set = JSON.parse(message.data);
        if (set.watermark) watermark = set.watermark;
        (set.activities || []).forEach(function (activity) { self.activity$.next(activity); });
        remember();
      };
      ws.onclose = ws.onerror = function () {
        if (socket !== ws) return;
        socket = null;
        clearTimeout(watchdog);
        if (!ended) retryLater();
      };
    }

    // The server sends a heartbeat every 15 s: silence for 40 s means a dead connection the browser has not noticed.
    function watch() {
      clearTimeout(watchdog);
      watchdog = setTimeout(function () { if (socket) socket.close(); }, 40000);
    }

    function retryLater() {
      if (ended) return;
      setStatus(Status.Connecting);
      clearTimeout(retryTimer);
      if (navigator.onLine === false) return; // the 'online' event reconnects
      var delay = Math.min(1000 * Math.pow(2, attempts), 10000) * (0.75 + Math.random() * 0.5);
      attempts++;
      retryTimer = setTimeout(connect, delay);
    }

    function startRefresh() {
      if (refreshTimer) return;
      // Tokens last 30 minutes by default: refresh well before.
      refreshTimer = setInterval(function () {
        request('POST', DOMAIN + '/tokens/refresh', token).then(function (grant) {
          token = grant.token;
          remember();
        }, function () { /* the next reconnect or post tells */ });
      }, 10 * 60 * 1000);
    }

    // Posts the waiting activities one at a time, in order, while online. A post that fails for the network stays
    // first in line and goes again, with the same clientActivityID, once the connection is back.
    function pump() {
      if (posting || ended || !outbox.length || !live) return;
      posting = true;
      var item = outbox[0];
      request('POST', DOMAIN + '/conversations/' + encodeURIComponent(conversationId) + '/activities', token, item.activity)
        .then(function (resource) {
          outbox.shift();
          posting = false;
          item.observer.next && item.observer.next(resource.id);
          item.observer.complete && item.observer.complete();
          pump();
        }, function (error) {
          posting = false;
          if (error instanceof HttpError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) {
            outbox.shift();
            item.observer.error && item.observer.error(error);
            pump();
            return;
          }
          // Network failure or a server error: the connection is probably down; the stream's reconnect calls pump().
          if (socket) socket.close();
          else retryLater();
        });
    }

    self.postActivity = function (activity) {
      return {
        subscribe: function (observer) {
          var o = typeof observer === 'function' ? { next: observer } : observer;
          var text = activity.type === 'message' ? activity.text : null;
          // "Retry" on a message that is still waiting re-sends the same words: keep only the newer copy.
          if (text) {
            outbox = outbox.filter(function (waiting, index) {
              var same = !(posting && index === 0) && waiting.activity.type === 'message' && waiting.activity.text === text;
              if (same && waiting.observer.error) waiting.observer.error(new Error('superseded'));
              return !same;
            });
          }
          var item = { activity: activity, observer: o };
          outbox.push(item);
          pump();
          return { unsubscribe: function () { /* an accepted message is still sent */ } };
        }
      };
    };

    self.reconnectNow = function () {
      if (ended || socket) return;
      attempts = 0;
      connect();
    };

    // The browser says the network is gone: the socket is dead even if it has not noticed yet.
    self.networkLost = function () {
      if (socket) socket.close();
    };

    self.end = function () {
      ended = true;
      clearTimeout(retryTimer);
      clearTimeout(watchdog);
      clearInterval(refreshTimer);
      if (socket) {
        var ws = socket;
        socket = null;
        ws.close();
      }
      setStatus(Status.Ended);
    };

    // Web Chat reads these; this client has no speech grammar and no OAuth sessions.
    self.referenceGrammarId = undefined;
    self.getSessionId = function () { return { subscribe: function (o) { o.next && o.next(''); o.complete && o.complete(); return { unsubscribe: function () {} }; } }; };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Answers as they are shown: citations of one article merged into one source card, links that open the article
  // at the quote, a refusal's examples only once (as the buttons).

  function articleFor(name) {
    var best = null;
    articles.forEach(function (article) {
      if (name === article.title || name.indexOf(article.title + ' — ') === 0) {
        if (!best || article.title.length > best.title.length) best = article;
      }
    });
    return best;
  }

  // The quote inside the server's claim text: the block-quoted lines, with markdown escapes undone; what follows the
  // quote (author, link to the original) is kept apart.
  function parseClaimText(markdown) {
    var lines = String(markdown || '').split('\n');
    var quoteLines = [];
    var rest = [];
    var inQuote = true;
    lines.forEach(function (line) {
      if (inQuote && /^>/.test(line)) quoteLines.push(line);
      else {
        inQuote = false;
        rest.push(line);
      }
    });
    var plain = quoteLines.map(function (line) {
      return line.replace(/^> ?/, '').replace(/\\$/, '').replace(/\\(.)/g, '$1');
    }).join('\n').trim();
    return { quoteMarkdown: quoteLines.join('\n'), quote: plain, rest: rest.join('\n').trim() };
  }

  function escapeTitle(title) {
    return title.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\s+/g, ' ');
  }

  function mergeCitations(activity) {
    var text = activity.text;
    var message = (activity.entities || []).filter(function (e) { return e && e['@id'] === '' && /^https:\/\/schema\.org\//.test(e.type || ''); })[0];
    if (typeof text !== 'string' || !message || !Array.isArray(message.citation) || !message.citation.length) return activity;

    var definition = /^\[(\d+)\]:\s+\S+(?:\s+"(?:[^"\\]|\\.)*")?\s*$/;
    var lines = text.split('\n');
    var body = lines.filter(function (line) { return !definition.test(line); }).join('\n').replace(/\s+$/, '');

    var claims = {};
    message.citation.forEach(function (claim) {
      if (claim && claim.appearance && claim.position !== undefined) claims[String(claim.position)] = claim;
    });

    // Sources in order of first mention in the text; one per article.
    var groups = [];
    var byKey = {};
    var renumber = {};
    var marker = /\[(\d+)\]/g;
    var match;
    while ((match = marker.exec(body))) {
      var claim = claims[match[1]];
      if (!claim || renumber[match[1]]) continue;
      var name = claim.appearance.name || '';
      var article = articleFor(name);
      var key = article ? article.id : name.split(' — ')[0];
      if (!byKey[key]) {
        byKey[key] = { number: groups.length + 1, article: article, title: article ? article.title : name.split(' — ')[0], quotes: [] };
        groups.push(byKey[key]);
      }
      var group = byKey[key];
      var section = article && name.length > article.title.length ? name.slice(article.title.length + 3) : (name.split(' — ')[1] || '');
      var parsed = parseClaimText(claim.appearance.text);
      group.quotes.push({ section: section, parsed: parsed, abstract: claim.appearance.abstract });
      renumber[match[1]] = group.number;
    }
    if (!groups.length) return activity;

    var newBody = body.replace(/\[(\d+)\]/g, function (all, n) { return renumber[n] ? '[' + renumber[n] + ']' : all; })
      .replace(/(\[\d+\])(?:[ \t]*\1)+/g, '$1');

    var definitions = groups.map(function (group) {
      return '[' + group.number + ']: cite:' + group.number + ' "' + escapeTitle(group.title) + '"';
    });

    var citation = groups.map(function (group) {
      var parts = [];
      group.quotes.forEach(function (quote, index) {
        var heading = (group.quotes.length > 1 ? 'Quote ' + (index + 1) : 'Quote') + (quote.section ? ' — ' + quote.section : '');
        parts.push('**' + heading.replace(/([*_\\[\]`])/g, '\\$1') + '**');
        parts.push(quote.parsed.quoteMarkdown || '> ' + quote.parsed.quote);
        if (group.article && quote.parsed.quote) {
          var href = new URL('articles/' + encodeURIComponent(group.article.id), window.location.href).href + '#quote=' + encodeURIComponent(quote.parsed.quote);
          parts.push('[Open the article at this passage](<' + href + '>)');
        }
      });
      var rest = group.quotes[0].parsed.rest;
      if (rest) parts.push(rest);
      return {
        '@type': 'Claim',
        position: group.number,
        appearance: {
          '@type': 'DigitalDocument',
          name: group.title,
          abstract: group.quotes[0].abstract,
          text: parts.join('\n\n')
        }
      };
    });

    var entities = activity.entities.map(function (entity) {
      return entity === message ? Object.assign({}, message, { citation: citation }) : entity;
    });
    return Object.assign({}, activity, { text: newBody + '\n\n' + definitions.join('\n'), entities: entities });
  }

  // A refusal lists example questions that are also offered as buttons: keep the buttons only.
  function dropListedSuggestions(activity) {
    var actions = activity.suggestedActions && activity.suggestedActions.actions;
    if (!actions || !actions.length || typeof activity.text !== 'string') return activity;
    var titles = actions.map(function (action) { return String(action.title || action.value || '').trim(); });
    var kept = activity.text.split('\n\n').filter(function (paragraph) {
      var item = /^\s*[-*]\s+(.*)$/.exec(paragraph);
      return !(item && titles.indexOf(item[1].trim()) >= 0);
    }).join('\n\n');
    return kept === activity.text ? activity : Object.assign({}, activity, { text: kept.replace(/,? for example:\s*$/, '. For example:') });
  }

  // The embedding site turned the starter questions off (data-starters="false"): the welcome comes without them.
  function dropStarters(activity) {
    if (showStarters || activity.replyToId || !activity.suggestedActions) return activity;
    var text = typeof activity.text === 'string' ? activity.text.replace('Pick a question below or ask your own.', 'Ask your question below.') : activity.text;
    return Object.assign({}, activity, { text: text, suggestedActions: undefined });
  }

  function presentIncoming(activity) {
    if (!activity || activity.type !== 'message' || !activity.from || activity.from.role === 'user') return activity;
    try {
      return dropStarters(dropListedSuggestions(mergeCitations(activity)));
    } catch (e) {
      return activity; // shown as the server sent it
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Copy buttons on the bot's messages (added to the rendered message; Web Chat leaves foreign children alone).

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    try {
      document.execCommand('copy');
    } finally {
      area.remove();
    }
    return Promise.resolve();
  }

  function addCopyButtons(root) {
    root.querySelectorAll('.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content').forEach(function (content) {
      if (content.querySelector('.copy-answer') || !content.querySelector('.webchat__render-markdown')) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'copy-answer';
      button.textContent = 'Copy';
      button.setAttribute('aria-label', 'Copy this answer');
      button.addEventListener('click', function () {
        var markdown = content.querySelector('.webchat__render-markdown');
        var sources = Array.prototype.map.call(content.querySelectorAll('.webchat__link-definitions__list-item-text'), function (item, index) {
          return '[' + (index + 1) + '] ' + item.textContent.trim();
        });
        var text = markdown.innerText.trim() + (sources.length ? '\n\nSources:\n' + sources.join('\n') : '');
        copyText(text).then(function () {
          button.textContent = 'Copied';
          setTimeout(function () { button.textContent = 'Copy'; }, 2000);
        }, function () {
          button.textContent = 'Copy failed';
        });
      });
      content.appendChild(button);
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The article list

  function listArticles() {
    return fetch('api/webchat/articles', { headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (list) {
        articles = list;
        if (!articleList) return; // the embedded panel has no list; the titles still serve the source cards
        articleList.textContent = '';
        if (!list.length) {
          articleList.innerHTML = '<li class="muted">No articles yet.</li>';
          return;
        }
        list.forEach(function (article) {
          var item = document.createElement('li');
          var title = document.createElement('a');
          title.href = 'articles/' + encodeURIComponent(article.id);
          title.textContent = article.title;
          item.appendChild(title);
          var by = [article.author, article.publisher].filter(Boolean).join(', ');
          if (by) {
            var byline = document.createElement('span');
            byline.className = 'by';
            byline.textContent = by;
            item.appendChild(byline);
          }
          articleList.appendChild(item);
        });
      })
      .catch(function () {
        if (articleList) articleList.innerHTML = '<li class="muted">The article list is not available right now.</li>';
      });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Starting or resuming the conversation

  // The grant for this tab: the saved conversation with a refreshed token, or a new conversation.
  function getGrant() {
    var saved = loadSession();
    if (saved) {
      loadingText.textContent = 'Restoring your conversation…';
      return request('POST', DOMAIN + '/tokens/refresh', saved.token).then(function (grant) {
        return { token: grant.token, conversationId: saved.conversationId, resumed: true };
      }, function (error) {
        if (error instanceof HttpError) {
          // The saved conversation can no longer be resumed (expired or unknown token): start afresh.
          forgetSession();
          return getGrant();
        }
        throw error;
      });
    }
    return request('POST', 'api/directline/token').then(function (grant) {
      return { token: grant.token, conversationId: null, resumed: false };
    });
  }

  function isNarrow() {
    return window.matchMedia && window.matchMedia('(max-width: 720px)').matches;
  }

  function isDark() {
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
  }

  function styleOptions() {
    var font = getComputedStyle(document.documentElement).getPropertyValue('--font').trim();
    var options = {
      accent: '#0b5cad',
      primaryFont: font,
      hideUploadButton: true,
      sendBoxTextWrap: true,
      suggestedActionLayout: 'flow',
      suggestedActionHeight: 'auto',
      // On a phone the avatars would take a sixth of the width from the text.
      botAvatarInitials: isNarrow() ? undefined : 'CA',
      userAvatarInitials: isNarrow() ? undefined : 'You',
      bubbleMaxWidth: 720,
      bubbleMinHeight: 0,
      rootHeight: '100%',
      // Messages wait while the connection is down and go out when it is back: give them time before "Send failed".
      sendTimeout: 120000
    };
    if (embedAccent && !isDark()) options.accent = embedAccent;
    if (isDark()) {
      Object.assign(options, {
        accent: '#7db4f0',
        backgroundColor: '#161b22',
        bubbleBackground: '#21262d',
        bubbleBorderColor: '#3a424d',
        bubbleTextColor: '#e8eaed',
        bubbleFromUserBackground: '#1f3a5c',
        bubbleFromUserBorderColor: '#3a5f8c',
        bubbleFromUserTextColor: '#e8eaed',
        sendBoxBackground: '#0d1117',
        sendBoxTextColor: '#e8eaed',
        sendBoxButtonColor: '#b4bac3',
        sendBoxPlaceholderColor: '#9aa3ad',
        subtle: '#b4bac3',
        suggestedActionBackgroundColor: '#161b22',
        suggestedActionBorderColor: '#7db4f0',
        suggestedActionTextColor: '#7db4f0',
        timestampColor: '#b4bac3',
        notificationText: '#e8eaed',
        transcriptOverlayButtonBackground: '#3a424d',
        transcriptOverlayButtonColor: '#e8eaed'
      });
    }
    return options;
  }

  var connection = null;

  // The conversation starts as soon as the grant is in, before the widget has loaded.
  function createConnection(grant) {
    var wasOnline = false;
    var created = new ChatConnection({
      token: grant.token,
      conversationId: grant.conversationId,
      // A reloaded page has an empty transcript: replay the conversation from its start.
      watermark: '',
      onSession: saveSession,
      onStatus: function (status) {
        if (status === Status.Online) {
          wasOnline = true;
          hideStatus();
        } else if (status === Status.Connecting && wasOnline) {
          showStatus('Reconnecting… Messages you send now go out when the connection is back.', { notice: true });
        }
      },
      onLost: function (status) {
        forgetSession();
        showStatus(status === 404
          ? 'This conversation is no longer available.'
          : 'This conversation has expired.', { action: { label: 'Start a new conversation', run: newConversation } });
      }
    });
    window.addEventListener('online', function () { created.reconnectNow(); });
    window.addEventListener('offline', function () { created.networkLost(); });
    created.start();
    return created;
  }

  function startChat() {
    if (!window.WebChat) {
      showStatus('The chat could not load. Check your connection, then try again.', { action: reloadAction });
      return;
    }

    var store = window.WebChat.createStore({}, function () {
      return function (next) {
        return function (action) {
          if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY' && action.payload && action.payload.activity) {
            action = Object.assign({}, action, { payload: Object.assign({}, action.payload, { activity: presentIncoming(action.payload.activity) }) });
          }
          return next(action);
        };
      };
    });

    mark('chat:render');
    var container = document.getElementById('webchat');
    window.WebChat.renderWebChat({ directLine: connection, store: store, locale: 'en-US', styleOptions: styleOptions() }, container);
    new MutationObserver(function () {
      addCopyButtons(container);
      if (wantFocus) focusChat();
    }).observe(container, { childList: true, subtree: true });
  }

  function newConversation() {
    forgetSession();
    if (connection) connection.end();
    window.location.reload();
  }

  document.getElementById('new-conversation').addEventListener('click', newConversation);

  // ---------------------------------------------------------------------------------------------------------------
  // Embed mode: the panel on another site. The host page (embed.js) shows and hides the frame; this page tells it
  // to close (the close button, Esc) and takes the focus when the panel opens.

  var wantFocus = false;

  function focusChat() {
    var box = document.querySelector('[data-id="webchat-sendbox-input"]');
    if (box) {
      wantFocus = false;
      box.focus();
    } else {
      document.getElementById('chat').focus();
    }
  }

  function setUpEmbedMode() {
    // The host page's origin, as the browser reports it; the messages carry nothing but "close".
    var hostOrigin = (window.location.ancestorOrigins && window.location.ancestorOrigins[0]) || '*';
    function closePanel() {
      if (window.parent !== window) window.parent.postMessage({ source: 'chatadvisor', type: 'close' }, hostOrigin);
    }

    var title = (embedParams.get('title') || '').trim().slice(0, 60) || 'ChatAdvisor';
    document.getElementById('embed-title').textContent = title;
    document.title = title + ' chat';
    document.getElementById('webchat').setAttribute('aria-label', 'Conversation with ' + title);
    if (embedAccent) {
      var header = document.querySelector('.embed-header');
      header.style.setProperty('--accent', embedAccent);
      // embed.js picks the text colour that contrasts more with the accent (white when it does not say).
      header.style.setProperty('--accent-ink', HEX_COLOUR.test(embedParams.get('ink') || '') ? embedParams.get('ink') : '#ffffff');
    }

    document.getElementById('close-panel').addEventListener('click', closePanel);
    document.addEventListener('keydown', function (event) {
      // Esc closes a source card's dialog first, then the panel.
      if (event.key === 'Escape' && !event.defaultPrevented && !document.querySelector('dialog[open]')) closePanel();
    });
    window.addEventListener('message', function (event) {
      if (event.source !== window.parent || !event.data || event.data.source !== 'chatadvisor-host') return;
      if (event.data.type === 'focus') {
        wantFocus = true;
        focusChat();
      }
    });
  }

  if (embedded) setUpEmbedMode();

  window.addEventListener('offline', function () {
    showStatus('You are offline. Messages you send now go out when the connection is back.', { notice: true });
  });

  // On a narrow screen the article list starts folded, so the chat has the screen.
  var about = document.getElementById('about');
  if (about && isNarrow()) about.open = false;

  // Both requests start at once, while the widget bundle is still downloading; the chat starts when all three are in.
  var articlesReady = listArticles();
  var grantReady = getGrant();
  // app.js is deferred and runs before the bundle: DOMContentLoaded comes after every deferred script has run.
  var widgetReady = new Promise(function (resolve) {
    if (window.WebChat || document.readyState === 'complete') resolve();
    else document.addEventListener('DOMContentLoaded', resolve);
  });

  grantReady.then(function (grant) {
    mark('chat:grant');
    connection = createConnection(grant);
  }, function () {});
  widgetReady.then(function () { mark('chat:widget'); });
  Promise.all([grantReady, widgetReady, articlesReady])
    .then(function () { startChat(); })
    .catch(function () {
      var loading = document.getElementById('loading');
      if (loading) loading.hidden = true;
      showStatus(UNREACHABLE, { action: reloadAction });
    });
})();
