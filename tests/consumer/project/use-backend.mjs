// node use-backend.mjs js|wasm|native: import the backend package and use a pool and an arena.
import assert from 'node:assert/strict';

const name = process.argv[2];
const mod = await import(`@mempool/backend-${name}`);
assert.equal(mod.backend.name, name);
assert.equal(mod.default, mod.backend);
assert.match(mod.version, /^\d+\.\d+\.\d+/);

const pool = mod.createFixedPool(24, 4, { align: 8 });
const f64 = new Float64Array(pool.memory);
const a = pool.alloc();
const b = pool.alloc();
assert.deepEqual([a, b], [64, 88]);
f64[a / 8] = 1.5;
pool.free(a);
assert.equal(pool.alloc(), a);
assert.deepEqual(pool.stats(), {
  objectSize: 24,
  slotSize: 24,
  capacity: 4,
  allocated: 2,
  available: 2,
  peakAllocated: 2,
  allocCount: 3,
  freeCount: 1,
  failedAllocs: 0,
});
pool.destroy();
assert.equal(f64.length, 0);

const arena = mod.createArena(1024);
assert.equal(arena.alloc(10, 1), 64);
assert.equal(arena.alloc(8, 16), 80);
const mark = arena.mark();
arena.alloc(100);
arena.rewind(mark);
assert.equal(arena.stats().offset, 24);
const scoped = mod.createArena(64);
scoped[Symbol.dispose](); // what `using` calls (Node 20 has the symbol, not the syntax)
assert.equal(scoped.destroyed, true);
arena.destroy();
console.log(`${name} ${mod.version}: pool and arena ok`);
