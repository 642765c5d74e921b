// Bounded load on POST /api/ask: CLIENTS concurrent clients send TOTAL requests in all (each client keeps one
// conversation and asks follow-ups in it), then prints requests/s, latency p50/p99 and, with --db, how many bytes the
// conversation database (conversations.db plus its write-ahead log) grew per request.
//
//   node tools/load/ask-load.mjs http://127.0.0.1:5080 [--clients 50] [--total 2000] [--db .chatadvisor/conversations.db]
//
// Several comma-separated base addresses (replicas sharing one database) spread the requests over them in turn, so
// consecutive turns of one conversation land on different replicas. --json prints one JSON line instead.
//
// No dependencies (Node 18+). The server's RateLimits:Ask must allow the run: all clients share one address.
import { statSync } from 'node:fs';

const args = process.argv.slice(2);
const bases = (args.find(a => !a.startsWith('--') && !args[args.indexOf(a) - 1]?.startsWith('--')) ?? 'http://127.0.0.1:5080')
  .split(',').map(b => b.replace(/\/$/, ''));
const option = (name, fallback) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback; };
const clients = Number(option('clients', 50));
const total = Number(option('total', 2000));
const db = option('db', null);
const json = args.includes('--json');

const questions = [
  'Which framework should I use for a high-traffic ML inference API?',
  'And its disadvantages?',
  'How does Django compare on that?',
  'What are the pros and cons of Flask?',
  'Which framework is best for beginners?',
];

const dbBytes = () => {
  if (!db) return 0;
  let bytes = 0;
  for (const file of [db, `${db}-wal`]) {
    try { bytes += statSync(file).size; } catch { /* not there yet */ }
  }
  return bytes;
};

let next = 0;
const latencies = [];
const statuses = new Map();

async function client(n) {
  let conversationId = `load-${process.pid}-${n}`;
  let turn = 0;
  while (next < total) {
    const base = bases[next++ % bases.length];
    const body = JSON.stringify({ question: questions[turn++ % questions.length], conversationId });
    const started = performance.now();
    const response = await fetch(`${base}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  }
}

const before = dbBytes();
const started = performance.now();
await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
const seconds = (performance.now() - started) / 1000;
const after = dbBytes();

latencies.sort((a, b) => a - b);
const pct = p => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
if (json) {
  console.log(JSON.stringify({ requests: latencies.length, seconds, perSecond: latencies.length / seconds, p50: Number(pct(0.5)), p99: Number(pct(0.99)),
    statuses: Object.fromEntries(statuses) }));
  process.exit(0);
}
console.log(`${latencies.length} requests from ${clients} clients in ${seconds.toFixed(1)} s: ${(latencies.length / seconds).toFixed(1)} requests/s`);
console.log(`latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
console.log(`status codes: ${[...statuses].map(([s, c]) => `${s}×${c}`).join(', ')}`);
if (db) console.log(`database: ${before} → ${after} bytes, ${((after - before) / latencies.length).toFixed(0)} bytes per request`);
