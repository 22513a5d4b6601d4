// A seeded random run of valid and invalid calls against the addon built with AddressSanitizer and
// UndefinedBehaviorSanitizer (lib/asan/mempool_native.node, `make asan-addon`), through the same
// TypeScript wrapper as the release build, plus direct calls of the raw binding with wrong
// arguments. Run by test/fuzz.test.ts as
//   LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 node --expose-gc test/fuzz-asan.mjs [seed] [steps]
// Any sanitizer report aborts the process; a broken invariant exits 1 naming the seed.
import { fileURLToPath } from 'node:url';
import { createNativeBackend } from '../dist/backend.js';
import { loadBindingFrom } from '../dist/binding.js';

const seed = Number(process.argv[2] ?? Date.now() % 2 ** 31);
const steps = Number(process.argv[3] ?? 40000);
const addon = process.env.MEMPOOL_FUZZ_ADDON ?? fileURLToPath(new URL('../lib/asan/mempool_native.node', import.meta.url));
const binding = loadBindingFrom(addon);
const backend = createNativeBackend(binding, binding.version);

let state = seed >>> 0 || 1;
const next = () => {
  // xorshift32
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 2 ** 32;
};
const int = (n) => Math.floor(next() * n);
const pick = (items) => items[int(items.length)];

const CODES = new Set([
  'ERR_MEMPOOL_INVALID_ARGUMENT',
  'ERR_MEMPOOL_INVALID_HANDLE',
  'ERR_MEMPOOL_DOUBLE_FREE',
  'ERR_MEMPOOL_DESTROYED',
  'ERR_MEMPOOL_OUT_OF_MEMORY',
]);
const junk = () =>
  pick([undefined, null, NaN, -1, -0, 0, 0.5, 1, 7, 63, 64, 65, 2 ** 31, 2 ** 32, 2 ** 33, 2 ** 53, 2 ** 64, Infinity, -Infinity,
    '64', {}, [], 10n, Symbol('x'), () => 0, new Uint8Array(4), new ArrayBuffer(8), true]);

function fail(message) {
  console.error(`fuzz seed ${seed}: ${message}`);
  process.exit(1);
}
function expectCode(act) {
  try {
    act();
  } catch (error) {
    if (!CODES.has(error?.code)) fail(`unexpected error ${error?.stack ?? error}`);
    return error.code;
  }
  return undefined;
}

const pools = []; // { pool, live: Map<handle, tag>, view }
const arenas = []; // { arena, marks: [] }
let calls = 0;

function checkPool(p) {
  if (p.pool.destroyed) return;
  const s = p.pool.stats();
  if (s.allocated + s.available !== s.capacity) fail('allocated + available !== capacity');
  if (s.allocated !== p.live.size) fail(`allocated ${s.allocated} but ${p.live.size} live`);
  for (const [h, tag] of p.live) if (p.view[h] !== tag) fail(`slot ${h} lost its byte`);
}

for (let step = 0; step < steps; step++) {
  calls++;
  const r = next();
  if (r < 0.04 || pools.length === 0 || arenas.length === 0) {
    // create, sometimes with bad arguments
    if (next() < 0.3) {
      expectCode(() => backend.createFixedPool(junk(), junk(), next() < 0.5 ? undefined : { align: junk() }));
      expectCode(() => backend.createArena(junk(), next() < 0.5 ? undefined : { align: junk() }));
    }
    const align = pick([undefined, 1, 2, 8, 16, 64, 128, 4096]);
    const pool = backend.createFixedPool(1 + int(100), 1 + int(64), align === undefined ? undefined : { align });
    pools.push({ pool, live: new Map(), view: new Uint8Array(pool.memory) });
    arenas.push({ arena: backend.createArena(1 + int(5000), align === undefined ? undefined : { align }), marks: [] });
    if (pools.length > 12) {
      // drop one without destroy: the GC and the finalizer reclaim it
      pools.splice(int(pools.length), 1);
      arenas.splice(int(arenas.length), 1);
    }
    continue;
  }
  const p = pick(pools);
  const a = pick(arenas);
  const op = int(22);
  switch (op) {
    case 0:
    case 1:
    case 2: {
      let h;
      const code = expectCode(() => (h = p.pool.alloc()));
      if (code === undefined && h !== 0) {
        if (p.live.has(h)) fail(`handle ${h} handed out twice`);
        const tag = 1 + int(255);
        p.view[h] = tag;
        p.live.set(h, tag);
      }
      break;
    }
    case 3:
    case 4: {
      if (p.live.size === 0) break;
      const h = pick([...p.live.keys()]);
      if (expectCode(() => p.pool.free(h)) === undefined) p.live.delete(h);
      break;
    }
    case 5: {
      // invalid frees: junk, double frees, misaligned, other pools' handles
      const h = pick([junk(), p.pool.dataOffset + int(4096), ...p.live.keys()].filter((x) => !p.live.has(x)));
      if (expectCode(() => p.pool.free(h)) === undefined) fail(`free(${String(h)}) was accepted`);
      break;
    }
    case 6: {
      if (next() < 0.2 && !p.pool.destroyed) {
        p.pool.reset();
        p.live.clear();
      }
      break;
    }
    case 7: {
      const out = next() < 0.5 ? new Uint32Array(int(10)) : new Float64Array(int(10));
      let placed = 0;
      const code = expectCode(() => (placed = p.pool.allocMany(out, next() < 0.2 ? junk() : undefined)));
      if (code === undefined) {
        for (let k = 0; k < placed; k++) {
          const tag = 1 + int(255);
          p.view[out[k]] = tag;
          p.live.set(out[k], tag);
        }
      }
      break;
    }
    case 8: {
      const keys = [...p.live.keys()];
      const batch = keys.filter(() => next() < 0.5);
      if (next() < 0.3 && batch.length > 0) batch.push(pick(batch)); // duplicate
      if (next() < 0.2) batch.splice(int(batch.length + 1), 0, pick([1, 3.5, NaN, -64, 2 ** 40, p.pool.dataOffset + 1]));
      const Kind = next() < 0.5 ? Float64Array : Uint32Array;
      const array = next() < 0.8 ? new Kind(batch) : new Kind(new SharedArrayBuffer(batch.length * Kind.BYTES_PER_ELEMENT));
      if (array.buffer instanceof SharedArrayBuffer) array.set(batch);
      const count = next() < 0.1 ? junk() : undefined;
      const code = expectCode(() => p.pool.freeMany(array, count));
      if (code === undefined) for (const h of array.subarray(0, count ?? array.length)) p.live.delete(h);
      break;
    }
    case 9:
      expectCode(() => p.pool.allocMany(junk(), junk()));
      expectCode(() => p.pool.freeMany(junk(), junk()));
      break;
    case 10: {
      // arena allocs, valid and not
      let h;
      const size = next() < 0.8 ? 1 + int(300) : junk();
      const align = next() < 0.8 ? pick([undefined, 1, 2, 4, 8, 16, 64, 4096]) : junk();
      const before = a.arena.destroyed ? undefined : a.arena.stats();
      const code = expectCode(() => (h = a.arena.alloc(size, align)));
      if (code === undefined && h !== 0) {
        new Uint8Array(a.arena.memory)[h + size - 1] = 0xab;
        if (h < before.offset + a.arena.dataOffset) fail('arena went backwards');
      }
      break;
    }
    case 11:
      if (!a.arena.destroyed) a.marks.push(a.arena.mark());
      break;
    case 12: {
      const m = next() < 0.7 && a.marks.length > 0 ? pick(a.marks) : junk();
      expectCode(() => a.arena.rewind(m));
      break;
    }
    case 13:
      if (next() < 0.2) expectCode(() => a.arena.reset());
      break;
    case 14: {
      if (!a.arena.destroyed) {
        const s = a.arena.stats();
        if (s.offset + s.remaining !== s.bufferSize) fail('arena offset + remaining !== bufferSize');
      }
      break;
    }
    case 15: {
      // destroy, then every call must throw DESTROYED (destroy itself is idempotent)
      if (next() < 0.05) {
        const view = p.view;
        p.pool.destroy();
        p.pool.destroy();
        if (view.length !== 0 || p.pool.memory.byteLength !== 0) fail('destroy() did not detach memory');
        for (const call of [() => p.pool.alloc(), () => p.pool.free(64), () => p.pool.reset(), () => p.pool.stats(),
          () => p.pool.allocMany(new Uint32Array(2)), () => p.pool.freeMany(new Uint32Array(0))]) {
          if (expectCode(call) !== 'ERR_MEMPOOL_DESTROYED') fail('call after destroy() did not throw DESTROYED');
        }
        p.live.clear();
      }
      if (next() < 0.05) {
        a.arena[Symbol.dispose]();
        for (const call of [() => a.arena.alloc(8), () => a.arena.mark(), () => a.arena.rewind(0), () => a.arena.reset(), () => a.arena.stats()]) {
          if (expectCode(call) !== 'ERR_MEMPOOL_DESTROYED') fail('arena call after destroy() did not throw DESTROYED');
        }
      }
      break;
    }
    case 16: {
      // the raw binding, with every kind of wrong argument: statuses or 0, never a crash
      const fns = Object.values(binding).filter((f) => typeof f === 'function' && f !== binding.liveAllocators);
      const f = pick(fns);
      const args = Array.from({ length: int(5) }, () => junk());
      try {
        f(...args);
      } catch {
        // a thrown JS error is fine; a crash is not
      }
      break;
    }
    case 17: {
      // the raw binding with real allocators of the wrong kind, destroyed ones and foreign memory
      const raw = binding.createFixedPool(new ArrayBuffer(4096), 8, 8, 8);
      const rawArena = binding.createArena(new ArrayBuffer(4096), 100, 8);
      if (typeof raw === 'number' || typeof rawArena === 'number') fail('raw create refused');
      const victim = pick([raw, rawArena]);
      const method = pick(['poolAlloc', 'poolFree', 'poolReset', 'poolAllocMany', 'poolFreeMany', 'poolStats',
        'arenaAlloc', 'arenaReset', 'arenaMark', 'arenaRewind', 'arenaStats']);
      if (next() < 0.5) binding.destroy(victim, new ArrayBuffer(8)); // not its memory: frees only the bookkeeping
      binding[method](victim, pick([64, 72, new Float64Array(9), new Uint32Array(3), junk()]), pick([1, 2, 8, junk()]));
      binding.destroy(victim, junk());
      binding[method](victim, 64, 1);
      break;
    }
    case 18: {
      // write all over a pool's memory (never its bookkeeping): the pool must not notice
      if (!p.pool.destroyed) {
        const view = new Uint8Array(p.pool.memory);
        for (let k = 0; k < 8; k++) view[int(p.pool.dataOffset)] = int(256); // header bytes
        p.pool.stats();
      }
      break;
    }
    case 19:
      if (next() < 0.05) globalThis.gc?.();
      break;
    default:
      checkPool(p);
  }
}
for (const p of pools) checkPool(p);
for (const p of pools.slice(0, pools.length >> 1)) p.pool.destroy();
for (const a of arenas.slice(0, arenas.length >> 1)) a.arena.destroy();
pools.length = 0;
arenas.length = 0;
globalThis.gc?.();
await new Promise((resolve) => setImmediate(resolve));
globalThis.gc?.();
await new Promise((resolve) => setImmediate(resolve));
console.log(`fuzz seed ${seed}: ${calls} steps, ${binding.liveAllocators()} C allocators still live after gc`);
