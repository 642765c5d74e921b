// The web chat page: lists the articles, gets a Direct Line token from this server and starts the unmodified
// Web Chat widget against the server's own Direct Line endpoint. No secret ever reaches the page.
(function () {
  'use strict';

  var statusBox = document.getElementById('status');
  var articleList = document.getElementById('articles');
  var unreachable = 'The chat server cannot be reached. Check that ChatAdvisor is running, then reload this page.';

  function showStatus(message, withRetry) {
    statusBox.textContent = message + ' ';
    if (withRetry) {
      var retry = document.createElement('button');
      retry.type = 'button';
      retry.textContent = 'Reload';
      retry.addEventListener('click', function () { window.location.reload(); });
      statusBox.appendChild(retry);
    }
    statusBox.hidden = false;
  }

  function hideStatus() {
    statusBox.hidden = true;
    statusBox.textContent = '';
  }

  function postJson(url) {
    return fetch(url, { method: 'POST', headers: { Accept: 'application/json' } }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    });
  }

  function listArticles() {
    fetch('api/webchat/articles', { headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (articles) {
        articleList.textContent = '';
        if (!articles.length) {
          articleList.innerHTML = '<li class="muted">No articles yet: add Markdown, text or HTML files to the corpus folder.</li>';
          return;
        }
        articles.forEach(function (article) {
          var item = document.createElement('li');
          var title;
          if (article.url && /^https?:\/\//.test(article.url)) {
            title = document.createElement('a');
            title.href = article.url;
            title.rel = 'noopener noreferrer';
            title.target = '_blank';
          } else {
            title = document.createElement('span');
          }
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
        articleList.innerHTML = '<li class="muted">The article list is not available right now.</li>';
      });
  }

  function startChat() {
    if (!window.WebChat) {
      showStatus('The chat widget did not load. Rebuild the project (dotnet build src/ChatAdvisor), then reload.', true);
      return;
    }

    postJson('api/directline/token')
      .then(function (grant) {
        var directLine = window.WebChat.createDirectLine({
          domain: new URL('v3/directline', window.location.href).href.replace(/\/$/, ''),
          token: grant.token,
          webSocket: true
        });

        // DirectLineJS connection states: 2 online, 3 expired token, 4 failed to connect, 5 ended.
        directLine.connectionStatus$.subscribe(function (status) {
          if (status === 2) hideStatus();
          else if (status === 3) showStatus('The chat session expired.', true);
          else if (status === 4) showStatus(unreachable, true);
          else if (status === 5) showStatus('This conversation has ended.', true);
        });

        window.WebChat.renderWebChat(
          {
            directLine: directLine,
            locale: 'en-US',
            styleOptions: {
              accent: '#0b5cad',
              hideUploadButton: true,
              sendBoxTextWrap: true,
              suggestedActionLayout: 'flow',
              botAvatarInitials: 'CA',
              userAvatarInitials: 'You',
              rootHeight: '100%'
            }
          },
          document.getElementById('webchat')
        );

      })
      .catch(function () {
        showStatus(unreachable, true);
      });
  }

  window.addEventListener('offline', function () { showStatus('You are offline. The chat resumes when the connection is back.', false); });
  window.addEventListener('online', hideStatus);

  listArticles();
  startChat();
})();
