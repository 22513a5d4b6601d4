// A quick timing of the addon's hot paths from JavaScript (no tinybench): ns per operation, best
// of 5 rounds. `npm run timing` (after `npm run build`). Compares with @mempool/backend-js when it
// is installed.
import { backend } from '../dist/index.js';

const N = 2_000_000;
const ROUNDS = 5;
let sink = 0;

function time(label, body) {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    body();
    const ns = Number(process.hrtime.bigint() - t0) / N;
    if (ns < best) best = ns;
  }
  console.log(`  ${label.padEnd(44)} ${best.toFixed(1).padStart(6)} ns`);
}

async function run(b) {
  console.log(`${b.name} backend:`);
  const pool = b.createFixedPool(64, 1024);
  const arena = b.createArena(64 * 1024);
  const batch = new Uint32Array(16);
  time('pool alloc+free pair', () => {
    for (let i = 0; i < N; i++) {
      const h = pool.alloc();
      sink += h;
      pool.free(h);
    }
  });
  time('arena alloc (48 B, reset every 1024)', () => {
    for (let i = 0; i < N; i++) {
      if ((i & 1023) === 0) arena.reset();
      sink += arena.alloc(48);
    }
  });
  time('allocMany+freeMany of 16, per handle', () => {
    for (let i = 0; i < N / 16; i++) {
      pool.allocMany(batch);
      sink += batch[7];
      pool.freeMany(batch);
    }
  });
  pool.destroy();
  arena.destroy();
}

await run(backend);
try {
  const js = await import('@mempool/backend-js');
  await run(js.backend);
} catch (error) {
  console.log(`(@mempool/backend-js not available: ${error.message})`);
}
if (sink === 42) console.log('');
