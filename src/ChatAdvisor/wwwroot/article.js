// The article page: when the address ends with #quote=<the quoted passage>, find that passage in the article,
// highlight it and scroll to it. Each block of the page carries data-start, the offset of its text in the article;
// the article's text travels with the page (#article-text), so the passage is found in the text and not in the page.
(function () {
  'use strict';

  function quoteFromHash() {
    var match = /^#quote=(.+)$/.exec(window.location.hash);
    if (!match) return null;
    try {
      return decodeURIComponent(match[1]);
    } catch (e) {
      return null;
    }
  }

  // The offsets of the passage in the text: exact first, then with any run of white space matching any other.
  function locate(text, quote) {
    var exact = text.indexOf(quote);
    if (exact >= 0) return { start: exact, end: exact + quote.length };
    var words = quote.trim().split(/\s+/).map(function (word) { return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); });
    if (!words.length || !words[0]) return null;
    var found = new RegExp(words.join('\\s+')).exec(text);
    return found ? { start: found.index, end: found.index + found[0].length } : null;
  }

  function highlight(start, end) {
    var marks = [];
    document.querySelectorAll('[data-start]').forEach(function (block) {
      var blockStart = Number(block.getAttribute('data-start'));
      var node = block.firstChild;
      if (!node || node.nodeType !== Node.TEXT_NODE) return;
      var blockEnd = blockStart + node.data.length;
      var from = Math.max(start, blockStart);
      var to = Math.min(end, blockEnd);
      if (from >= to) return;
      var range = document.createRange();
      range.setStart(node, from - blockStart);
      range.setEnd(node, to - blockStart);
      var mark = document.createElement('mark');
      mark.className = 'quote';
      range.surroundContents(mark);
      marks.push(mark);
    });
    return marks;
  }

  function show() {
    var status = document.getElementById('quote-status');
    var quote = quoteFromHash();
    document.querySelectorAll('mark.quote').forEach(function (mark) { mark.replaceWith(document.createTextNode(mark.textContent)); });
    document.querySelectorAll('[data-start]').forEach(function (block) { block.normalize(); });
    if (!quote) {
      status.hidden = true;
      return;
    }
    var text = JSON.parse(document.getElementById('article-text').textContent);
    var where = locate(text, quote);
    var marks = where ? highlight(where.start, where.end) : [];
    status.hidden = false;
    if (!marks.length) {
      status.textContent = 'The quoted passage was not found in this version of the article.';
      return;
    }
    status.textContent = 'The quoted passage is highlighted below.';
    marks[0].id = 'quote';
    marks[0].setAttribute('tabindex', '-1');
    marks[0].scrollIntoView({ block: 'center' });
    marks[0].focus({ preventScroll: true });
  }

  window.addEventListener('hashchange', show);
  show();
})();
