// Keyword-search anchor for the scale benchmark: indexes the chunks the C# benchmark exported with minisearch
// and times the same queries. Input: a JSON file {"chunks": [{"id", "text"}], "queries": [..], "rounds": n}.
// Output (stdout): one JSON object with the build time and the query latency percentiles in milliseconds.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import MiniSearch from 'minisearch';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const started = performance.now();
const index = new MiniSearch({ fields: ['text'], storeFields: [], searchOptions: { combineWith: 'OR' } });
index.addAll(input.chunks);
const buildMs = performance.now() - started;

const times = [];
for (const q of input.queries) index.search(q); // warm-up
for (let round = 0; round < input.rounds; round++) {
  for (const q of input.queries) {
    const t = performance.now();
    index.search(q).slice(0, 8);
    times.push(performance.now() - t);
  }
}
times.sort((a, b) => a - b);
const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
const memory = process.memoryUsage();
console.log(JSON.stringify({ chunks: input.chunks.length, buildMs, p50Ms: at(0.5), p99Ms: at(0.99), queries: times.length, heapUsedBytes: memory.heapUsed }));
