// Checks the server's Direct Line channel with the official client library, botframework-directlinejs, the one
// the Web Chat widget runs on. Usage: node directline.mjs <scenario> <server base url>
// Scenarios: websocket, polling, reconnect, refresh, foreign. Exit code 0 when every check of the scenario holds.
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
// DirectLineJS runs in browsers: in Node it needs a WebSocket and an XMLHttpRequest implementation.
globalThis.WebSocket = require('ws');
globalThis.XMLHttpRequest = require('xhr2');
const { DirectLine, ConnectionStatus } = require('botframework-directlinejs');
const WebSocket = require('ws');

const [scenario, base] = process.argv.slice(2);
if (!scenario || !base) {
  console.error('usage: node directline.mjs <websocket|polling|reconnect|refresh|foreign> <base url>');
  process.exit(2);
}
const origin = base.replace(/\/$/, '');
const domain = origin + '/v3/directline';
const QUESTION_1 = 'Which framework should I use for a high-traffic ML inference API?';
const QUESTION_2 = 'What are the pros and cons of Flask?';

function decode(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

async function pageToken() {
  const response = await fetch(origin + '/api/directline/token', { method: 'POST' });
  assert.equal(response.status, 200, 'POST /api/directline/token');
  return response.json();
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), ms); })
  ]).finally(() => clearTimeout(timer));
}

/** Collects every activity the client receives and lets a check wait for one that matches. */
function collect(directLine) {
  const seen = [];
  const waiters = [];
  const subscription = directLine.activity$.subscribe(
    activity => {
      seen.push(activity);
      for (const waiter of [...waiters]) {
        if (waiter.match(activity)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(activity);
        }
      }
    },
    error => waiters.forEach(w => w.reject(error))
  );
  return {
    seen,
    waitFor(match, what, ms = 30000) {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return withTimeout(new Promise((resolve, reject) => waiters.push({ match, resolve, reject })), ms, what);
    },
    stop() { subscription.unsubscribe(); }
  };
}

function post(directLine, userId, text) {
  const clientActivityID = 'client-' + Math.random().toString(36).slice(2);
  return new Promise((resolve, reject) => {
    directLine.postActivity({ type: 'message', from: { id: userId }, text, channelData: { clientActivityID } })
      .subscribe(id => resolve({ id, clientActivityID }), reject);
  });
}

/** Asks one question and checks the echo, then the reply, in that order. Returns the reply. */
async function askInOrder(directLine, activities, userId, text) {
  const { id, clientActivityID } = await withTimeout(post(directLine, userId, text), 30000, 'the POST of "' + text + '"');
  assert.ok(id, 'the POST returns the activity id');

  const echo = await activities.waitFor(a => a.channelData?.clientActivityID === clientActivityID, 'the echo of "' + text + '"');
  assert.equal(echo.id, id, 'the echo carries the id the POST returned');
  assert.equal(echo.from.id, userId, 'the echo is from the user');
  assert.equal(echo.text, text, 'the echo carries the text');

  const reply = await activities.waitFor(a => a.type === 'message' && a.replyToId === id, 'the reply to "' + text + '"', 60000);
  const echoIndex = activities.seen.indexOf(echo);
  const replyIndex = activities.seen.indexOf(reply);
  assert.ok(echoIndex < replyIndex, `the echo (#${echoIndex}) arrives before the reply (#${replyIndex})`);
  assert.ok(Date.parse(reply.timestamp) > Date.parse(echo.timestamp), 'the reply is stamped after the question');
  assert.equal(reply.from.role, 'bot');
  assert.equal(activities.seen.filter(a => a.id === id).length, 1, 'the echo arrives once');
  assert.equal(activities.seen.filter(a => a.replyToId === id && a.type === 'message').length, 1, 'the reply arrives once');
  return reply;
}

/** Checks a reply the way Web Chat reads it: [n] markers with link definitions, the claims and the follow-ups. */
function checkAnswer(reply) {
  const definitions = [...reply.text.matchAll(/^\[(\d+)\]: cite:(\d+) "(.+)"$/gm)];
  assert.ok(definitions.length > 0, 'the answer has citation link definitions:\n' + reply.text);
  const message = (reply.entities || []).find(e => e.type === 'https://schema.org/Message' && e['@id'] === '');
  assert.ok(message, 'the answer carries the schema.org Message entity');
  for (const [, n] of definitions) {
    assert.ok(reply.text.includes(`[${n}]`), `marker [${n}] is in the text`);
    const claim = message.citation.find(c => String(c.position) === n);
    assert.ok(claim, `claim ${n} matches a definition`);
    assert.ok(claim.appearance.text.includes('> '), `claim ${n} carries the quote`);
  }
  const actions = message.potentialAction.map(a => a['@type']).sort();
  assert.deepEqual(actions, ['DislikeAction', 'LikeAction'], 'like and dislike are offered');
  assert.ok(reply.suggestedActions?.actions?.length > 0, 'follow-up questions are suggested');
}

async function conversation({ webSocket }) {
  const grant = await pageToken();
  const userId = decode(grant.token).user;
  const directLine = new DirectLine({ domain, token: grant.token, webSocket, pollingInterval: 200 });
  const activities = collect(directLine);
  return { grant, userId, directLine, activities };
}

async function chat(webSocket) {
  const { userId, directLine, activities } = await conversation({ webSocket });
  const welcome = await activities.waitFor(a => a.type === 'message' && a.from.role === 'bot', 'the welcome message');
  assert.ok(welcome.suggestedActions.actions.length > 0, 'the welcome suggests questions');

  const first = await askInOrder(directLine, activities, userId, QUESTION_1);
  checkAnswer(first);
  const second = await askInOrder(directLine, activities, userId, QUESTION_2);
  checkAnswer(second);

  const messages = activities.seen.filter(a => a.type === 'message');
  const order = messages.map(a => a.from.role === 'bot' ? 'bot' : 'user');
  assert.deepEqual(order, ['bot', 'user', 'bot', 'user', 'bot'], 'welcome, question, answer, question, answer');
  activities.stop();
  directLine.end();
  return `${messages.length} messages in order over ${webSocket ? 'WebSocket' : 'polling'}`;
}

async function reconnect() {
  const { grant, userId, directLine, activities } = await conversation({ webSocket: true });
  await askInOrder(directLine, activities, userId, QUESTION_1);
  const watermark = directLine.watermark;
  assert.ok(watermark, 'the client has a watermark');
  const token = directLine.token;
  const seenBefore = new Set(activities.seen.map(a => a.id));
  activities.stop();
  directLine.end();

  // While the client is away, a question arrives on the same conversation (another tab, say).
  const posted = await fetch(`${domain}/conversations/${grant.conversationId}/activities`, {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: QUESTION_2, from: { id: userId } })
  });
  assert.equal(posted.status, 200);
  const { id } = await posted.json();

  // Resume with the watermark: only what came after it is replayed.
  const resumed = new DirectLine({ domain, token, conversationId: grant.conversationId, watermark, webSocket: true });
  const later = collect(resumed);
  await later.waitFor(a => a.id === id, 'the question asked while away');
  await later.waitFor(a => a.type === 'message' && a.replyToId === id, 'the answer given while away', 60000);
  const replayedAgain = later.seen.filter(a => seenBefore.has(a.id));
  assert.equal(replayedAgain.length, 0, 'nothing before the watermark is replayed: ' + replayedAgain.map(a => a.id).join(', '));
  later.stop();
  resumed.end();
  return `resumed after watermark ${watermark}: ${later.seen.length} new activities, none replayed`;
}

async function refresh() {
  const { grant, userId, directLine, activities } = await conversation({ webSocket: true });
  await activities.waitFor(a => a.type === 'message', 'the welcome message');
  const refreshed = await withTimeout(new Promise((resolve, reject) => directLine.refreshToken().subscribe(resolve, reject)), 30000, 'the refreshed token');
  assert.ok(refreshed && refreshed !== grant.token, 'a new token is issued');
  const claims = decode(refreshed);
  assert.equal(claims.user, userId, 'the refreshed token keeps the user');
  assert.equal(claims.conv, grant.conversationId, 'the refreshed token keeps the conversation');

  directLine.token = refreshed;
  await askInOrder(directLine, activities, userId, QUESTION_1);
  activities.stop();
  directLine.end();
  return 'the refreshed token carries the same user and conversation and works';
}

async function expectStatus(url, init, status, what) {
  const response = await fetch(url, init);
  const body = await response.text();
  assert.equal(response.status, status, `${what}: ${response.status} ${body}`);
  return body;
}

async function foreign() {
  const a = await conversation({ webSocket: true });
  await askInOrder(a.directLine, a.activities, a.userId, QUESTION_1);
  const conversationA = a.grant.conversationId;

  const b = await pageToken();
  const asB = { Authorization: 'Bearer ' + b.token, 'Content-Type': 'application/json' };
  const url = `${domain}/conversations/${conversationA}`;
  for (const [what, target, init] of [
    ['resume A with B\'s token', url, { headers: asB }],
    ['poll A with B\'s token', url + '/activities?watermark=', { headers: asB }],
    ['post into A with B\'s token', url + '/activities', { method: 'POST', headers: asB, body: JSON.stringify({ type: 'message', text: 'hi' }) }],
    ['tamper with A\'s token', url + '/activities', { headers: { Authorization: 'Bearer ' + a.directLine.token.slice(0, -2) + 'AA' } }]
  ]) {
    const body = await expectStatus(target, init, 403, what);
    assert.ok(!body.includes(QUESTION_1), what + ': no data of A leaks');
  }

  // B's own stream token cannot open A's stream.
  const started = await fetch(`${domain}/conversations`, { method: 'POST', headers: asB, body: '{}' });
  const streamB = new URL((await started.json()).streamUrl);
  const streamA = `${streamB.origin.replace('http', 'ws')}${streamB.pathname.replace(b.conversationId, conversationA)}${streamB.search}`;
  const refused = await new Promise(resolve => {
    const socket = new WebSocket(streamA);
    socket.on('unexpected-response', (_, response) => resolve(response.statusCode));
    socket.on('open', () => { socket.close(); resolve('open'); });
    socket.on('error', () => {});
  });
  assert.equal(refused, 403, 'A\'s stream refuses B\'s stream token');

  // The client library, pointed at A with B's token, fails to connect.
  const intruder = new DirectLine({ domain, token: b.token, conversationId: conversationA, webSocket: false, pollingInterval: 200 });
  const statuses = [];
  intruder.connectionStatus$.subscribe(s => statuses.push(s));
  const intruderActivities = collect(intruder);
  await withTimeout(new Promise(resolve => {
    const check = setInterval(() => { if (statuses.includes(ConnectionStatus.FailedToConnect)) { clearInterval(check); resolve(); } }, 50);
  }), 30000, 'FailedToConnect');
  assert.equal(intruderActivities.seen.length, 0, 'the intruder receives nothing');
  intruderActivities.stop();
  intruder.end();
  a.activities.stop();
  a.directLine.end();
  return 'B\'s token is refused on A\'s routes and stream (403), and nothing of A reaches B';
}

const scenarios = {
  websocket: () => chat(true),
  polling: () => chat(false),
  reconnect,
  refresh,
  foreign
};

try {
  const detail = await withTimeout(scenarios[scenario](), 150000, 'scenario ' + scenario);
  console.log(`ok - ${scenario}: ${detail}`);
  process.exit(0);
} catch (error) {
  console.log(`not ok - ${scenario}: ${error.stack || error}`);
  process.exit(1);
}
