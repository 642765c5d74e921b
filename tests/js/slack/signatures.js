// Checks Slack request signatures with @slack/bolt's own request verification, for comparison with ChatAdvisor's.
//
//   node signatures.js <cases.json>
//
// cases.json: [{ "name", "secret", "body" (UTF-8 text), "headers": { "x-slack-signature"?, "x-slack-request-timestamp"? },
//                "nowMs", "sign"? }]
// With "sign": true the signature is first computed here from Slack's documented recipe
// (v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))) and written into the headers.
// Prints [{ "name", "signature", "accepted", "reason" }] as JSON: accepted is bolt's verdict through the same
// function its HTTP receivers call (HTTPModuleFunctions.parseAndVerifyHTTPRequest), with the clock set to nowMs.
'use strict';

const { readFileSync } = require('node:fs');
const { createHmac } = require('node:crypto');
// The receiver module directly: the package index also loads the Web API client, which needs a newer Node.js.
const HTTPModuleFunctions = require('@slack/bolt/dist/receivers/HTTPModuleFunctions');

async function verify(testCase) {
  const headers = { 'content-type': testCase.contentType ?? 'application/json', ...testCase.headers };
  if (testCase.sign) {
    const basestring = `v0:${headers['x-slack-request-timestamp']}:${testCase.body}`;
    headers['x-slack-signature'] = `v0=${createHmac('sha256', testCase.secret).update(basestring).digest('hex')}`;
  }
  // An already-buffered request: bolt reads rawBody instead of the stream.
  const request = { rawBody: Buffer.from(testCase.body, 'utf8'), headers };
  const realNow = Date.now;
  Date.now = () => testCase.nowMs;
  try {
    await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ signingSecret: testCase.secret }, request, {});
    return { name: testCase.name, signature: headers['x-slack-signature'] ?? null, accepted: true, reason: null };
  } catch (error) {
    return { name: testCase.name, signature: headers['x-slack-signature'] ?? null, accepted: false, reason: String(error.message ?? error) };
  } finally {
    Date.now = realNow;
  }
}

async function main() {
  const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const results = [];
  for (const testCase of cases) results.push(await verify(testCase));
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
