// Times the wasm backend's hot paths against other builds of a backend, in the same run:
// `node test/compare-speed.mjs [label=path/to/dist/index.js ...]` (after `npm run build`). Each
// subject runs in its own Node process (so no call site sees two backends), the subjects take
// turns for ROUNDS rounds, and the table shows each one's median of its median samples
// (ns per operation; the creation row is in µs). The project's benchmark is
// bench/; this is for before/after comparisons of this package, e.g. against an earlier dist/.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

const OPS = 1000;
const ROUNDS = 7;

async function child(url) {
  const backend = await import(url);
  const pool = backend.createFixedPool(24, 4096);
  const arena = backend.createArena(1 << 20);
  const batch = new Uint32Array(OPS);
  let sink = 0;
  const bench = new Bench({ time: 500, warmupTime: 200 });
  bench.add('pool alloc+free pair', () => {
    for (let i = 0; i < OPS; i++) pool.free(pool.alloc());
  });
  bench.add('arena alloc (reset every 1000)', () => {
    for (let i = 0; i < OPS; i++) sink ^= arena.alloc(24);
    arena.reset();
  });
  bench.add('allocMany+freeMany of 1000, per handle', () => {
    pool.allocMany(batch);
    pool.freeMany(batch);
  });
  if (backend.backend.supports.shared) {
    const shared = backend.createFixedPool(24, 4096, { shared: true });
    bench.add('shared pool alloc+free pair (one thread)', () => {
      for (let i = 0; i < OPS; i++) shared.free(shared.alloc());
    });
  }
  bench.add('createFixedPool(64, 1024)+destroy(), µs', () => {
    backend.createFixedPool(64, 1024).destroy();
  });
  const result = {};
  // The median sample, not the mean: on a shared machine a preempted sample is an outlier.
  for (const task of await bench.run()) result[task.name] = (task.result.latency.p50 * 1e6) / OPS;
  if (sink === 0.5) result.sink = sink;
  process.stdout.write(JSON.stringify(result));
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]);
} else {
  const subjects = [['wasm', new URL('../dist/index.js', import.meta.url).href]];
  for (const arg of process.argv.slice(2)) {
    const [label, path] = arg.includes('=') ? arg.split('=') : [arg, arg];
    subjects.push([label, new URL(path, `file://${process.cwd()}/`).href]);
  }
  const samples = new Map(subjects.map(([label]) => [label, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, url] of subjects) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', url], { encoding: 'utf8' });
      samples.get(label).push(JSON.parse(out));
    }
  }
  const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
  const rows = [];
  for (const scenario of Object.keys(samples.get('wasm')[0])) {
    for (const [label] of subjects) {
      const values = samples
        .get(label)
        .map((s) => s[scenario])
        .filter((v) => v !== undefined);
      if (values.length > 0) rows.push({ scenario, subject: label, 'median ns/op': median(values).toFixed(2) });
    }
  }
  console.table(rows);
}
