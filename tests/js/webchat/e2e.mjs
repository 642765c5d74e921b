// End-to-end check of the web chat page in a real browser: Debian's Chromium, headless, driven by playwright-core.
// Usage: node e2e.mjs <chat|unreachable> <server base url> [screenshot.png]
// chat: open the page, ask, see the answer and its citation list, open a citation (the quote shows), click a
//       suggested follow-up and see the second answer in context, rate an answer; saves a screenshot.
// unreachable: the page says so plainly when the server cannot be reached.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const [scenario, base, screenshot] = process.argv.slice(2);
if (!scenario || !base) {
  console.error('usage: node e2e.mjs <chat|unreachable> <base url> [screenshot.png]');
  process.exit(2);
}
const QUESTION = 'Which framework should I use for a high-traffic ML inference API?';
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chatadvisor-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
  });
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', error => errors.push(String(error)));
  return {
    page,
    errors,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  };
}

const botMessages = page => page.locator('[aria-roledescription="message"]').filter({ has: page.locator('.webchat__bubble:not(.webchat__bubble--from-user)') });
const answers = page => page.locator('.webchat__bubble:not(.webchat__bubble--from-user)').filter({ has: page.locator('.webchat__link-definitions') });

async function chat() {
  const browser = await launch();
  const { page } = browser;
  try {
    await page.goto(base, { waitUntil: 'load' });
    assert.equal(await page.locator('h1').innerText(), 'ChatAdvisor', 'the page has a clear title');
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the page declares its language');

    // The articles the bot knows are listed.
    await page.locator('#articles li:not(.muted)').first().waitFor({ timeout: 30000 });
    const articles = await page.locator('#articles li:not(.muted)').allInnerTexts();
    assert.ok(articles.length >= 1, 'the articles are listed');

    // The welcome message arrives, then the question goes in with the keyboard.
    await page.locator('.webchat__bubble').first().waitFor({ timeout: 30000 });
    const input = page.locator('[data-id="webchat-sendbox-input"]');
    assert.ok(await input.getAttribute('aria-label'), 'the message box has an accessible name');
    await input.click();
    await input.fill(QUESTION);
    await input.press('Enter');

    // The answer with its citation list.
    const firstAnswer = answers(page).first();
    await firstAnswer.waitFor({ timeout: 60000 });
    const answerText = await firstAnswer.locator('.webchat__render-markdown').first().innerText();
    assert.match(answerText, /\S/, 'the answer has text');
    const references = firstAnswer.locator('.webchat__link-definitions__list-item');
    const referenceCount = await references.count();
    assert.ok(referenceCount >= 1, 'the answer lists its citations');
    const citationMarkers = await firstAnswer.locator('.webchat__render-markdown__citation').count();
    assert.ok(citationMarkers >= 1, 'the [n] markers in the text are citation buttons');
    assert.equal(await page.getByText('Send failed').count(), 0, 'the question was not marked as failed');

    // Opening a citation shows the quote.
    const referenceName = await references.first().innerText();
    await references.first().locator('button').click();
    const dialog = page.locator('dialog.webchat__citation-modal-dialog');
    await dialog.waitFor({ timeout: 10000 });
    const quote = await dialog.locator('blockquote').innerText();
    assert.ok(quote.trim().length >= 20, 'the citation dialog shows the quote: ' + quote);
    const dialogTitle = await dialog.locator('.webchat__citation-modal-dialog__header').innerText();
    assert.ok(referenceName.includes(dialogTitle.trim()) || dialogTitle.includes(referenceName.replace(/^\d+\s*/, '').trim()), 'the dialog is titled with the source');
    if (screenshot) await page.screenshot({ path: screenshot.replace(/\.png$/, '-citation.png') });
    await dialog.locator('.webchat__modal-dialog__close-button').click();
    await dialog.waitFor({ state: 'hidden', timeout: 10000 });

    // Rate the answer: the like button toggles on.
    const like = page.locator('button.webchat__thumb-button[title="Like"]').first();
    await like.click();
    assert.equal(await like.getAttribute('aria-pressed'), 'true', 'the like button shows as pressed');

    // A suggested follow-up: clicking it asks it, and the answer comes after it, in order.
    const suggestion = page.locator('.webchat__suggested-action').first();
    await suggestion.waitFor({ timeout: 10000 });
    const followUp = (await suggestion.innerText()).trim();
    const botCountBefore = await botMessages(page).count();
    await suggestion.click();
    await page.locator('.webchat__bubble--from-user').filter({ hasText: followUp }).waitFor({ timeout: 30000 });
    await page.waitForFunction(count => document.querySelectorAll('[aria-roledescription="message"] .webchat__bubble:not(.webchat__bubble--from-user)').length > count, botCountBefore, { timeout: 60000 });

    const transcript = await page.locator('[aria-roledescription="message"]').evaluateAll(rows => rows.map(row => ({
      user: !!row.querySelector('.webchat__bubble--from-user'),
      text: row.innerText
    })));
    const questionIndex = transcript.findIndex(r => r.user && r.text.includes(QUESTION));
    const followUpIndex = transcript.findIndex(r => r.user && r.text.includes(followUp));
    assert.ok(questionIndex >= 0 && followUpIndex > questionIndex, 'the follow-up comes after the first question');
    assert.ok(!transcript[questionIndex + 1].user, 'the first answer follows the first question');
    const second = transcript[followUpIndex + 1];
    assert.ok(second && !second.user, 'the second answer follows the follow-up');
    assert.ok(!/something went wrong/i.test(second.text), 'the second answer is an answer: ' + second.text);
    assert.equal(await page.getByText('Send failed').count(), 0, 'no message was marked as failed');

    if (screenshot) {
      fs.mkdirSync(path.dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot });
    }
    assert.deepEqual(browser.errors, [], 'no script errors on the page');
    return `${articles.length} articles listed; answer with ${referenceCount} citations; quote shown; follow-up "${followUp}" answered in order`;
  } finally {
    await browser.close();
  }
}

async function unreachable() {
  const browser = await launch();
  const { page } = browser;
  try {
    // The page loads, then the server goes away before the chat can start.
    await page.route('**/api/**', route => route.abort('connectionrefused'));
    await page.goto(base, { waitUntil: 'load' });
    const status = page.locator('#status');
    await status.waitFor({ state: 'visible', timeout: 30000 });
    const text = await status.innerText();
    assert.match(text, /cannot be reached/, 'a plain message says the server cannot be reached: ' + text);
    assert.equal(await status.getAttribute('role'), 'alert', 'the message is announced to screen readers');
    if (screenshot) await page.screenshot({ path: screenshot });
    return 'the page says: ' + text.trim();
  } finally {
    await browser.close();
  }
}

try {
  const detail = await (scenario === 'chat' ? chat() : unreachable());
  console.log(`ok - ${scenario}: ${detail}`);
  process.exit(0);
} catch (error) {
  console.log(`not ok - ${scenario}: ${error.stack || error}`);
  process.exit(1);
}
