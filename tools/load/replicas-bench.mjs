// Answers per second and latency with one and two replicas on PostgreSQL, and one process on the embedded SQLite
// store for comparison, each measured --runs times in turn (so drift on a noisy machine hits every setup alike);
// prints medians and the ratios against one SQLite process measured in the same run.
//
//   node tools/load/replicas-bench.mjs [--runs 3] [--total 1500] [--clients 40]
//
// Needs a Release build (dotnet build src/ChatAdvisor -c Release) and the PostgreSQL server binaries; starts its own
// throwaway cluster with tools/postgres/test-cluster.sh and its own servers on free loopback ports.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : fallback; };
// Every replica signs the web chat's tokens with the same key.
const signingKey = randomBytes(32).toString('base64');
const runs = option('runs', 3), total = option('total', 1500), clients = option('clients', 40);
const exe = join(root, 'src', 'ChatAdvisor', 'bin', 'Release', 'net10.0', 'ChatAdvisor.dll');

const work = mkdtempSync(join(tmpdir(), 'chatadvisor-bench-'));
chmodSync(work, 0o755);
const cluster = join(work, 'pg');
const admin = execFileSync('bash', [join(root, 'tools', 'postgres', 'test-cluster.sh'), 'start', cluster], { encoding: 'utf8' }).trim();
const port = admin.match(/Port=(\d+)/)[1];

const freePort = () => new Promise(resolve => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const sleep = ms => new Promise(r => setTimeout(r, ms));

function createDatabase(name) {
  execFileSync('psql', ['-h', '127.0.0.1', '-p', port, '-U', 'chatadvisor', '-d', 'chatadvisor', '-qc', `CREATE DATABASE ${name}`]);
  return admin.replace('Database=chatadvisor', `Database=${name}`);
}

async function startServer(env) {
  const listen = await freePort();
  const child = spawn('dotnet', [exe], {
    cwd: root,
    env: { ...process.env, ...env, ASPNETCORE_URLS: `http://127.0.0.1:${listen}`, Storage__Path: join(work, 'storage'),
      RateLimits__Ask__PermitLimit: '100000000', Logging__LogLevel__Default: 'Warning' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${listen}`;
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) return { child, base }; } catch { /* starting */ }
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error('server did not become ready');
}

async function measure(setup, run) {
  const servers = [];
  const env = {};
  if (setup.provider === 'postgres') Object.assign(env, { Storage__Provider: 'postgres', DirectLine__SigningKey: signingKey, ConnectionStrings__Postgres: createDatabase(`bench_${setup.name.replace(/\W/g, '_')}_${run}`) });
  else rmSync(join(work, 'storage', 'conversations.db'), { force: true });
  for (let i = 0; i < setup.replicas; i++) servers.push(await startServer(env));
  const out = execFileSync('node', [join(root, 'tools', 'load', 'ask-load.mjs'), servers.map(s => s.base).join(','),
    '--clients', String(clients), '--total', String(total), '--json'], { encoding: 'utf8' });
  for (const s of servers) s.child.kill('SIGTERM');
  await Promise.all(servers.map(s => new Promise(r => s.child.once('exit', r))));
  return JSON.parse(out.trim().split('\n').pop());
}

const setups = [
  { name: 'sqlite, 1 process', provider: 'sqlite', replicas: 1 },
  { name: 'postgres, 1 replica', provider: 'postgres', replicas: 1 },
  { name: 'postgres, 2 replicas', provider: 'postgres', replicas: 2 },
];
const results = new Map(setups.map(s => [s.name, []]));
try {
  // The index is built once; every server loads it from the shared cache.
  execFileSync('dotnet', [exe, 'index'], { cwd: root, env: { ...process.env, Storage__Path: join(work, 'storage') }, stdio: 'ignore' });
  for (let run = 1; run <= runs; run++) {
    for (const setup of setups) {
      const r = await measure(setup, run);
      results.get(setup.name).push(r);
      console.log(`run ${run} ${setup.name}: ${r.perSecond.toFixed(1)} answers/s, p50 ${r.p50} ms, p99 ${r.p99} ms, statuses ${JSON.stringify(r.statuses)}`);
    }
  }
} finally {
  execFileSync('bash', [join(root, 'tools', 'postgres', 'test-cluster.sh'), 'stop', cluster]);
  rmSync(work, { recursive: true, force: true });
}

const median = xs => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const reference = median(results.get(setups[0].name).map(r => r.perSecond));
console.log(`\nmedians over ${runs} runs, ${total} answers from ${clients} clients each (${setups[0].name} = 1.00):`);
for (const setup of setups) {
  const rs = results.get(setup.name);
  const perSecond = median(rs.map(r => r.perSecond));
  console.log(`  ${setup.name.padEnd(22)} ${perSecond.toFixed(1).padStart(7)} answers/s (${(perSecond / reference).toFixed(2)}×)  p50 ${median(rs.map(r => r.p50)).toFixed(1)} ms  p99 ${median(rs.map(r => r.p99)).toFixed(1)} ms`);
}
