// A quick comparison of the hot paths against the js backend (both must be built):
//   node packages/backend-wasm/scripts/quick-bench.mjs
// Not the project's benchmark (that is @mempool/bench); this only checks the wasm glue is thin.
import { Bench } from 'tinybench';

const backends = {
  js: (await import('@mempool/backend-js')).backend,
  wasm: (await import('../dist/index.js')).backend,
};
const bench = new Bench({ time: 500, warmupTime: 200 });
for (const [name, backend] of Object.entries(backends)) {
  const pool = backend.createFixedPool(64, 1024);
  let sink = 0;
  bench.add(`${name} pool alloc+free`, () => {
    const h = pool.alloc();
    pool.free(h);
    sink += h;
  });
  const pool2 = backend.createFixedPool(64, 1024);
  const held = new Uint32Array(256);
  bench.add(`${name} pool alloc x256 then free x256`, () => {
    for (let i = 0; i < 256; i++) held[i] = pool2.alloc();
    for (let i = 255; i >= 0; i--) pool2.free(held[i]);
  });
  const pool3 = backend.createFixedPool(64, 1024);
  const batch = new Uint32Array(256);
  bench.add(`${name} pool allocMany(256)+freeMany(256)`, () => {
    pool3.allocMany(batch);
    pool3.freeMany(batch);
  });
  const arena = backend.createArena(1 << 20);
  bench.add(`${name} arena alloc(24) (reset every 10000)`, () => {
    if (arena.alloc(24) === 0) arena.reset();
  });
  const arena2 = backend.createArena(1 << 20);
  bench.add(`${name} arena alloc(24, 16)`, () => {
    if (arena2.alloc(24, 16) === 0) arena2.reset();
  });
  globalThis.sink = sink;
}
await bench.run();
console.table(
  bench.tasks.map((task) => ({
    task: task.name,
    'ns/op': (task.result.mean * 1e6).toFixed(1),
    'ops/s': Math.round(task.result.hz).toLocaleString('en'),
    rme: `±${task.result.rme.toFixed(1)}%`,
  })),
);
