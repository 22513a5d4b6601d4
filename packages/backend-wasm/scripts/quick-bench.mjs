// A quick comparison of the hot paths against the js backend (both built, tinybench installed):
//   node packages/backend-wasm/scripts/quick-bench.mjs        (runs js, then wasm, each in its own process)
// Each task does OPS operations per iteration so tinybench's own per-iteration cost is amortised;
// ns/op is the mean iteration time divided by OPS. Not the project's benchmark (@mempool/bench).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

const which = process.argv[2];
if (which === undefined) {
  for (const name of ['js', 'wasm']) {
    process.stdout.write(execFileSync(process.execPath, [fileURLToPath(import.meta.url), name], { encoding: 'utf8' }));
  }
  process.exit(0);
}

const backend = which === 'js' ? (await import('@mempool/backend-js')).backend : (await import('../dist/index.js')).backend;
const OPS = 1000;
const bench = new Bench({ time: 1000, warmupTime: 300 });

const pool = backend.createFixedPool(64, 1024);
bench.add('pool alloc+free (pair)', () => {
  for (let i = 0; i < OPS; i++) pool.free(pool.alloc());
});
const pool2 = backend.createFixedPool(64, OPS);
const held = new Uint32Array(OPS);
bench.add('pool alloc (x1000, then 1000 frees; per call)', () => {
  for (let i = 0; i < OPS; i++) held[i] = pool2.alloc();
  for (let i = OPS - 1; i >= 0; i--) pool2.free(held[i]);
});
const pool3 = backend.createFixedPool(64, OPS);
const batch = new Uint32Array(OPS);
bench.add('pool allocMany(1000)+freeMany(1000) (per handle)', () => {
  pool3.allocMany(batch);
  pool3.freeMany(batch);
});
const arena = backend.createArena(1 << 24);
bench.add('arena alloc(24)', () => {
  for (let i = 0; i < OPS; i++) arena.alloc(24);
  arena.reset();
});
const arena2 = backend.createArena(1 << 24);
bench.add('arena alloc(24, 16)', () => {
  for (let i = 0; i < OPS; i++) arena2.alloc(24, 16);
  arena2.reset();
});
await bench.run();
for (const task of bench.tasks) {
  // tinybench 2 reports `mean`/`rme` in ms; 3 and later under `latency`.
  const mean = task.result.latency?.mean ?? task.result.mean;
  const rme = task.result.latency?.rme ?? task.result.rme;
  const perOp = (mean * 1e6) / OPS / (task.name.startsWith('pool alloc (') ? 2 : 1);
  console.log(`${which.padEnd(5)} ${task.name.padEnd(50)} ${perOp.toFixed(2).padStart(7)} ns/op  ±${rme.toFixed(1)}%`);
}
