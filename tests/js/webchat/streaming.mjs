// Live streaming in the web chat page, in a real browser (Debian's Chromium, headless, driven by playwright-core).
// Usage: node streaming.mjs <server base url> [screenshot.png]
// The server is answering with a language model that writes slowly: after the question, the bot's bubble shows the
// answer growing on screen (Web Chat livestreaming over the WebSocket), then the finished answer with its citations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const [base, screenshot] = process.argv.slice(2);
if (!base) {
  console.error('usage: node streaming.mjs <base url> [screenshot.png]');
  process.exit(2);
}
const QUESTION = 'Which framework should I use for a high-traffic ML inference API?';

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chatadvisor-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']
});
const page = context.pages()[0] || await context.newPage();
const errors = [];
page.on('pageerror', error => errors.push(String(error)));

try {
  await page.goto(base, { waitUntil: 'load' });
  await page.locator('.webchat__bubble').first().waitFor({ timeout: 30000 });
  const botBubbles = () => page.locator('.webchat__bubble:not(.webchat__bubble--from-user)').count();
  const before = await botBubbles();

  const input = page.locator('[data-id="webchat-sendbox-input"]');
  await input.click();
  await input.fill(QUESTION);
  await input.press('Enter');

  // Watch the newest bot bubble until the finished answer (with its reference list) is there, noting each text shown.
  const seen = [];
  const deadline = Date.now() + 90000;
  let finished = false;
  while (!finished && Date.now() < deadline) {
    const state = await page.evaluate(count => {
      const bubbles = document.querySelectorAll('.webchat__bubble:not(.webchat__bubble--from-user)');
      if (bubbles.length <= count) return null;
      const last = bubbles[bubbles.length - 1];
      const markdown = last.querySelector('.webchat__render-markdown');
      return { text: markdown ? markdown.innerText.trim() : '', final: !!last.querySelector('.webchat__link-definitions') };
    }, before);
    if (state) {
      if (state.final) finished = true;
      else if (state.text && seen[seen.length - 1] !== state.text) seen.push(state.text);
    }
    await page.waitForTimeout(50);
  }
  assert.ok(finished, 'the finished answer with its citations arrived; texts seen: ' + JSON.stringify(seen));
  assert.ok(seen.length >= 2, 'the answer grew on screen before it was finished: ' + JSON.stringify(seen));
  for (let i = 1; i < seen.length; i++)
    assert.ok(seen[i].length > seen[i - 1].length, 'each streamed text is longer than the one before: ' + JSON.stringify(seen));
  assert.ok(seen.some(text => /FastAPI/.test(text)), 'the streamed text is the answer being written: ' + JSON.stringify(seen));

  // One answer, not a streamed copy beside the finished one; nothing marked as failed.
  assert.equal(await botBubbles(), before + 1, 'the finished answer replaced the streamed text');
  assert.equal(await page.getByText('Send failed').count(), 0, 'the question was not marked as failed');
  if (screenshot) {
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
  }
  assert.deepEqual(errors, [], 'no script errors on the page');
  console.log(`ok - streaming: ${seen.length} growing texts shown (${seen.map(t => t.length).join(' < ')} characters), then the answer with citations`);
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(0);
} catch (error) {
  console.log(`not ok - streaming: ${error.stack || error}`);
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(1);
}
