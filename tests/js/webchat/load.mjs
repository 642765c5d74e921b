// Load check of the Direct Line channel: many conversations at once, each asking several questions over its
// WebSocket stream, against one server on this machine. Reports messages lost or out of order (must be 0) and
// reply latency (from the POST of a question to its answer on the stream).
// Usage: node load.mjs <server base url, loopback only> [--conversations 200] [--messages 5] [--seconds 300]
import { createRequire } from 'node:module';
import { setMaxListeners } from 'node:events';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');

const args = process.argv.slice(2);
const base = (args.find(a => !a.startsWith('--')) || '').replace(/\/$/, '');
const option = (name, fallback) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const conversations = option('conversations', 200);
const messagesPerConversation = option('messages', 5);
const budgetSeconds = option('seconds', 300);

const host = base ? new URL(base).hostname : '';
if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) {
  console.error('usage: node load.mjs http://127.0.0.1:<port> [--conversations N] [--messages N] [--seconds N] (loopback only)');
  process.exit(2);
}

const QUESTIONS = [
  'Which framework should I use for a high-traffic ML inference API?',
  'And what are its disadvantages?',
  'Django vs Flask vs FastAPI: how do they compare?',
  'Which framework is best for beginners?',
  'What are the pros and cons of Flask?',
  'Is Django good for a large team?',
  'Which one has the best async support?'
];

const deadline = Date.now() + budgetSeconds * 1000;
const stop = new AbortController();
setMaxListeners(0, stop.signal); // one listener per waiting question
const stopTimer = setTimeout(() => stop.abort(), budgetSeconds * 1000);
const latencies = [];
const problems = { lost: 0, outOfOrder: 0, duplicated: 0, failedPosts: 0, failedStarts: 0 };
const notes = [];

async function json(url, init) {
  const response = await fetch(url, { ...init, signal: stop.signal });
  if (!response.ok) throw new Error(`${init?.method || 'GET'} ${url}: ${response.status}`);
  return response.json();
}

async function runConversation(index) {
  let grant, started;
  try {
    grant = await json(base + '/api/directline/token', { method: 'POST' });
    started = await json(base + '/v3/directline/conversations', {
      method: 'POST', headers: { Authorization: 'Bearer ' + grant.token, 'Content-Type': 'application/json' }, body: '{}'
    });
  } catch (error) {
    problems.failedStarts++;
    notes.push(`conversation ${index}: ${error.message}`);
    return;
  }

  const socket = new WebSocket(started.streamUrl);
  const received = [];
  const waiters = new Map(); // activity id -> resolve, for replies
  let lastWatermark = -1;
  socket.on('message', data => {
    const text = data.toString();
    if (!text) return; // heartbeat
    const set = JSON.parse(text);
    if (set.watermark != null) {
      const w = Number(set.watermark);
      if (w < lastWatermark) { problems.outOfOrder++; notes.push(`conversation ${index}: watermark went back from ${lastWatermark} to ${w}`); }
      lastWatermark = Math.max(lastWatermark, w);
    }
    for (const activity of set.activities) {
      if (activity.type === 'typing') continue;
      if (activity.id && received.some(a => a.id === activity.id)) { problems.duplicated++; continue; }
      received.push(activity);
      if (activity.replyToId && waiters.has(activity.replyToId)) waiters.get(activity.replyToId)(activity);
    }
  });
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); }).catch(error => {
    problems.failedStarts++;
    notes.push(`conversation ${index}: stream ${error.message}`);
  });
  if (socket.readyState !== WebSocket.OPEN) return;

  const asked = [];
  for (let m = 0; m < messagesPerConversation && Date.now() < deadline; m++) {
    const text = QUESTIONS[(index + m) % QUESTIONS.length];
    const clientActivityID = `load-${index}-${m}`;
    const postedAt = performance.now();
    let id;
    try {
      ({ id } = await json(`${base}/v3/directline/conversations/${started.conversationId}/activities`, {
        method: 'POST',
        headers: { Authorization: 'Bearer ' + started.token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'message', text, from: { id: 'load' }, channelData: { clientActivityID } })
      }));
    } catch (error) {
      problems.failedPosts++;
      notes.push(`conversation ${index} message ${m}: ${error.message}`);
      break;
    }
    asked.push(id);
    const reply = await new Promise(resolve => {
      const already = received.find(a => a.replyToId === id && a.type === 'message');
      if (already) return resolve(already);
      waiters.set(id, resolve);
      stop.signal.addEventListener('abort', () => resolve(null), { once: true });
    });
    waiters.delete(id);
    if (!reply) break;
    latencies.push(performance.now() - postedAt);
  }
  socket.close();

  // Every question must have come back (the echo) and been answered, each answer after its question, in order.
  const messages = received.filter(a => a.type === 'message');
  let position = -1;
  for (const id of asked) {
    const echo = messages.findIndex(a => a.id === id);
    const reply = messages.findIndex(a => a.replyToId === id);
    if (echo < 0 || reply < 0) { problems.lost++; notes.push(`conversation ${index}: ${echo < 0 ? 'echo' : 'reply'} of ${id} never arrived`); continue; }
    if (!(echo < reply && echo > position)) { problems.outOfOrder++; notes.push(`conversation ${index}: ${id} out of order`); }
    position = reply;
  }
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const started = performance.now();
await Promise.all(Array.from({ length: conversations }, (_, i) => runConversation(i)));
clearTimeout(stopTimer);
const seconds = (performance.now() - started) / 1000;
const expected = conversations * messagesPerConversation;
const sorted = [...latencies].sort((a, b) => a - b);

console.log(`conversations: ${conversations}, messages each: ${messagesPerConversation}, answered: ${latencies.length}/${expected} in ${seconds.toFixed(1)} s (${(latencies.length / seconds).toFixed(1)} answers/s)`);
console.log(`lost: ${problems.lost + (expected - latencies.length - problems.lost)}, out of order: ${problems.outOfOrder}, duplicated: ${problems.duplicated}, failed posts: ${problems.failedPosts}, failed starts: ${problems.failedStarts}`);
console.log(`reply latency ms: p50 ${percentile(sorted, 50).toFixed(0)}, p90 ${percentile(sorted, 90).toFixed(0)}, p99 ${percentile(sorted, 99).toFixed(0)}, max ${sorted.at(-1)?.toFixed(0)}`);
for (const note of notes.slice(0, 10)) console.log('  ' + note);
const ok = latencies.length === expected && problems.outOfOrder === 0 && problems.duplicated === 0;
process.exit(ok ? 0 : 1);
