// A seeded random run of valid and invalid calls against the addon built with AddressSanitizer and
// UndefinedBehaviorSanitizer (lib/asan/mempool_native.node, `make asan-addon`), through the same
// TypeScript wrapper as the release build, plus direct calls of the raw binding with wrong
// arguments, and garbage written straight into the argument block (random ids, stale ids of
// destroyed allocators, ids of the wrong kind, NaN/huge/fractional values) before the hot calls,
// in any order; then a synchronous loop that drops pools (their bookkeeping must come back while
// it runs) and workers using the addon terminated at random moments. Run by test/fuzz.test.ts as
//   LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 node --expose-gc test/fuzz-asan.mjs [seed] [steps]
// Any sanitizer report aborts the process; a broken invariant exits 1 naming the seed.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const seed = Number(process.argv[2] ?? Date.now() % 2 ** 31);
const steps = Number(process.argv[3] ?? 40000);
const addon = process.env.MEMPOOL_FUZZ_ADDON ?? fileURLToPath(new URL('../lib/asan/mempool_native.node', import.meta.url));
// The package's classes load the addon MEMPOOL_NATIVE_ADDON names (see src/binding.ts).
process.env.MEMPOOL_NATIVE_ADDON = addon;
const { createNativeBackend } = await import('../dist/backend.js');
const { BLOCK, packageBinding } = await import('../dist/binding.js');
const binding = packageBinding();
const backend = createNativeBackend(binding.version);
const { block } = binding;
const { id: BLOCK_ID, arg0: BLOCK_ARG0, arg1: BLOCK_ARG1, result: BLOCK_RESULT, length: BLOCK_LENGTH } = BLOCK;
const rawModule = createRequire(import.meta.url)(addon);
if (rawModule.open() !== undefined) {
  console.error('the binding was handed out twice');
  process.exit(1);
}

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
  pick([
    undefined,
    null,
    NaN,
    -1,
    -0,
    0,
    0.5,
    1,
    7,
    63,
    64,
    65,
    2 ** 31,
    2 ** 32,
    2 ** 33,
    2 ** 53,
    2 ** 64,
    Infinity,
    -Infinity,
    '64',
    {},
    [],
    10n,
    Symbol('x'),
    () => 0,
    new Uint8Array(4),
    new ArrayBuffer(8),
    true,
  ]);

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

const pools = []; // { pool, live: Map<handle, tag>, view, id }
const arenas = []; // { arena, marks: [], id }
let calls = 0;

// ---- the argument block ----
const SLOT = 2 ** 24; // ids are generation * 2^24 + slot (addon/addon.cc), generation >= 1
const stale = []; // ids of destroyed allocators (tracked or raw): C must refuse them for ever
const raws = []; // allocators made through the raw binding: { anchor, memory, id, kind }
/** Ids of tracked allocators that are alive: garbage must never name one (the model would break). */
const trackedLive = () =>
  new Set([...pools.filter((p) => !p.pool.destroyed).map((p) => p.id), ...arenas.filter((a) => !a.arena.destroyed).map((a) => a.id)]);
const JUNK_NUMBERS = [
  NaN,
  -0,
  -1,
  -SLOT,
  0.5,
  1.5,
  SLOT + 0.5,
  Infinity,
  -Infinity,
  2 ** 53,
  2 ** 53 - 1,
  2 ** 53 + 2,
  2 ** 64,
  1e300,
  -1e300,
  Number.MIN_VALUE,
  2 ** 31,
  2 ** 32,
  2 ** 33,
  2 ** 33 + 64,
];
/** An id that is surely not a live allocator's: junk, a generation-0 slot, a stale id, a stale id +/- 0.5. */
function deadId() {
  switch (int(4)) {
    case 0:
      return pick(JUNK_NUMBERS);
    case 1:
      return int(SLOT); // generation 0: never handed out
    case 2:
      return stale.length > 0 ? pick(stale) : -1;
    default:
      return stale.length > 0 ? pick(stale) + pick([0.5, -0.5, 2 ** 53]) : NaN;
  }
}
/** Any id but a tracked live one: dead ids, raw allocators' ids, random ids near the real ones. */
function anyId() {
  const r = next();
  if (r < 0.4) return deadId();
  if (r < 0.7 && raws.length > 0) return pick(raws).id;
  const live = trackedLive();
  for (let k = 0; k < 4; k++) {
    const id = (1 + int(6)) * SLOT + int(64);
    if (!live.has(id)) return id;
  }
  return deadId();
}
const anyValue = () => (next() < 0.5 ? pick(JUNK_NUMBERS) : pick([0, 1, 8, 16, 63, 64, 65, 72, 128, 4096, 8192, int(5000)]));
/** Fills the whole block with garbage that names no tracked live allocator. */
function scramble() {
  for (let k = 0; k < BLOCK_LENGTH; k++) block[k] = anyValue();
  block[BLOCK_ID] = anyId();
}
function rawCreate() {
  const kind = next() < 0.5 ? 'pool' : 'arena';
  const memory = new ArrayBuffer(4096);
  const anchor = kind === 'pool' ? binding.createFixedPool(memory, 8, 8, 8) : binding.createArena(memory, 100, 8);
  if (typeof anchor !== 'object') fail(`raw create refused: ${anchor}`);
  const id = block[BLOCK_RESULT];
  if (!(Number.isSafeInteger(id) && id >= SLOT)) fail(`raw create wrote id ${id}`);
  if (stale.includes(id) || raws.some((r) => r.id === id) || trackedLive().has(id)) fail(`id ${id} handed out twice`);
  raws.push({ anchor, memory, id, kind });
}
function rawDestroy(k) {
  const [r] = raws.splice(k, 1);
  block[BLOCK_ID] = r.id;
  const status = binding.destroy(next() < 0.8 ? r.memory : junk(), r.anchor);
  if (status !== 0 && status !== -3) fail(`raw destroy with its own anchor gave ${status}`);
  stale.push(r.id);
  if (stale.length > 200) stale.splice(int(stale.length), 1);
}
/** A hot call over whatever the block holds: a dead id must be refused with 0 / NULL_POINTER. */
function hotCall(fn, deadExpected) {
  binding[fn]();
  const result = block[BLOCK_RESULT];
  if (typeof result !== 'number') fail(`${fn}() left ${result}`);
  if (deadExpected) {
    const want = fn === 'poolFree' ? -1 : 0;
    if (result !== want) fail(`${fn}() with dead id ${block[BLOCK_ID]} gave ${result}`);
  }
}

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
    const poolId = block[BLOCK_RESULT];
    pools.push({ pool, live: new Map(), view: new Uint8Array(pool.memory), id: poolId });
    const arena = backend.createArena(1 + int(5000), align === undefined ? undefined : { align });
    arenas.push({ arena, marks: [], id: block[BLOCK_RESULT] });
    if (!(poolId >= SLOT) || stale.includes(poolId) || stale.includes(block[BLOCK_RESULT])) fail('create reused an id');
    if (pools.length > 12) {
      // drop one without destroy: the GC and the finalizer reclaim it
      pools.splice(int(pools.length), 1);
      arenas.splice(int(arenas.length), 1);
    }
    continue;
  }
  const p = pick(pools);
  const a = pick(arenas);
  const op = int(24);
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
        stale.push(p.id);
        if (view.length !== 0 || p.pool.memory.byteLength !== 0) fail('destroy() did not detach memory');
        for (const call of [
          () => p.pool.alloc(),
          () => p.pool.free(64),
          () => p.pool.reset(),
          () => p.pool.stats(),
          () => p.pool.allocMany(new Uint32Array(2)),
          () => p.pool.freeMany(new Uint32Array(0)),
        ]) {
          if (expectCode(call) !== 'ERR_MEMPOOL_DESTROYED') fail('call after destroy() did not throw DESTROYED');
        }
        p.live.clear();
      }
      if (next() < 0.05) {
        a.arena[Symbol.dispose]();
        stale.push(a.id);
        for (const call of [
          () => a.arena.alloc(8),
          () => a.arena.mark(),
          () => a.arena.rewind(0),
          () => a.arena.reset(),
          () => a.arena.stats(),
        ]) {
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
      scramble(); // the hot functions read the block, not their arguments
      try {
        f(...args);
      } catch {
        // a thrown JS error is fine; a crash is not
      }
      break;
    }
    case 17: {
      // the raw binding with real allocators of the wrong kind, destroyed ones, foreign memory and
      // other allocators' anchors
      const made = [
        binding.createFixedPool(new ArrayBuffer(4096), 8, 8, 8),
        block[BLOCK_RESULT],
        binding.createArena(new ArrayBuffer(4096), 100, 8),
        block[BLOCK_RESULT],
      ];
      if (typeof made[0] !== 'object' || typeof made[2] !== 'object') fail('raw create refused');
      const [anchor, id] = next() < 0.5 ? made.slice(0, 2) : made.slice(2);
      const otherAnchor = anchor === made[0] ? made[2] : made[0];
      const method = pick([
        'poolAlloc',
        'poolFree',
        'poolAllocMany',
        'poolFreeMany',
        'arenaAlloc',
        'arenaMark',
        'arenaRewind',
        'reset',
        'stats',
      ]);
      const call = () => {
        scramble();
        block[BLOCK_ID] = id;
        binding[method](pick([64, 72, new Float64Array(9), new Uint32Array(3), junk()]), pick([1, 2, 8, junk()]));
      };
      call();
      block[BLOCK_ID] = id;
      if (binding.destroy(new ArrayBuffer(8), pick([otherAnchor, junk()])) !== -2) fail('destroy without the anchor was not refused');
      call();
      block[BLOCK_ID] = id;
      binding.destroy(junk(), anchor); // not its memory: frees only the bookkeeping
      call(); // a dead id now
      block[BLOCK_ID] = made[1];
      binding.destroy(junk(), made[0]);
      block[BLOCK_ID] = made[3];
      binding.destroy(junk(), made[2]);
      break;
    }
    case 20:
    case 21: {
      // hammer the argument block: garbage ids and values, raw allocators made and destroyed in
      // between, hot calls in any order; dead ids must be refused, raw pools must stay consistent
      const rounds = 1 + int(16);
      for (let k = 0; k < rounds; k++) {
        const r = next();
        if (r < 0.08 || raws.length === 0) rawCreate();
        else if (r < 0.14) rawDestroy(int(raws.length));
        else {
          scramble();
          let dead = false;
          const r2 = next();
          if (r2 < 0.3) {
            block[BLOCK_ID] = deadId();
            dead = true;
          } else if (r2 < 0.7 && raws.length > 0) {
            const target = pick(raws);
            block[BLOCK_ID] = target.id;
            if (next() < 0.5) block[BLOCK_ARG0] = pick([64, 72, 80, 128, 8, 64 + 8 * int(10)]);
            if (next() < 0.5) block[BLOCK_ARG1] = pick([1, 2, 8, 64, 4096, 3, 8192, 0]);
          }
          const fn = pick(['poolAlloc', 'poolFree', 'arenaAlloc']);
          hotCall(fn, dead);
          // a raw allocator's id on the other kind's function is refused too
          const other = raws.find((x) => x.id === block[BLOCK_ID]);
          if (other !== undefined && (other.kind === 'pool') !== (fn !== 'arenaAlloc')) {
            const want = fn === 'poolFree' ? -1 : 0;
            if (block[BLOCK_RESULT] !== want) fail(`${fn}() on a ${other.kind}'s id gave ${block[BLOCK_RESULT]}`);
          }
        }
      }
      // the raw pools' own view of themselves stays sane whatever was thrown at them
      const stats = new Float64Array(9);
      for (const r of raws) {
        if (r.kind !== 'pool') continue;
        block[BLOCK_ID] = r.id;
        if (binding.stats(stats) !== 0) fail('raw pool stats refused');
        if (stats[3] + stats[4] !== stats[2] || stats[3] > 8) fail(`raw pool stats broken: ${stats}`);
      }
      if (raws.length > 16) rawDestroy(int(raws.length));
      break;
    }
    case 22:
      // the wrapper after garbage: every hot method writes all it needs, whatever the block held
      scramble();
      break;
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
while (raws.length > 0) rawDestroy(raws.length - 1);
for (const id of stale) {
  block[BLOCK_ID] = id;
  hotCall(pick(['poolAlloc', 'poolFree', 'arenaAlloc']), true);
}
for (const p of pools.slice(0, pools.length >> 1)) p.pool.destroy();
for (const a of arenas.slice(0, arenas.length >> 1)) a.arena.destroy();
pools.length = 0;
arenas.length = 0;
globalThis.gc?.();
await new Promise((resolve) => setImmediate(resolve));
globalThis.gc?.();
await new Promise((resolve) => setImmediate(resolve));

// ---- a synchronous loop that drops pools: their bookkeeping must come back without the event loop ----
const DROPS = 300;
const dropBefore = binding.liveAllocators();
const dropOut = new Uint32Array(1);
for (let k = 0; k < DROPS; k++) {
  const p = backend.createFixedPool(1, 65536 + int(65536), { align: 1 });
  p.allocMany(dropOut);
  p.freeMany(dropOut);
}
const dropLive = binding.liveAllocators() - dropBefore;
// Before the sweep every one of them stayed until the event loop ran; how many are left now
// depends on when V8 last collected, so only a clear majority fails.
if (dropLive > (DROPS * 3) / 4) fail(`a synchronous drop loop kept ${dropLive} of ${DROPS} pools' bookkeeping`);

// ---- workers using the addon, terminated at random moments ----
const here = (file) => JSON.stringify(new URL(file, import.meta.url).href);
const workerSource = `
  import { parentPort, workerData } from 'node:worker_threads';
  process.env.MEMPOOL_NATIVE_ADDON = workerData.addon;
  const { createNativeBackend } = await import(${here('../dist/backend.js')});
  const { packageBinding } = await import(${here('../dist/binding.js')});
  const backend = createNativeBackend(packageBinding().version);
  parentPort.postMessage('running');
  const out = new Float64Array(8);
  for (let i = 0; ; i++) {
    const pool = backend.createFixedPool(8, 16);
    const arena = backend.createArena(64);
    pool.allocMany(out);
    arena.alloc(8);
    if (i % 3 === 0) pool.freeMany(out);
    if (i % 2 === 0) { pool.destroy(); arena.destroy(); } // the others are dropped
  }
`;
const TERMINATIONS = 12;
for (let k = 0; k < TERMINATIONS; k++) {
  const worker = new Worker(workerSource, { eval: true, workerData: { addon } });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 5 + int(20)));
  await worker.terminate();
}
console.log(
  `fuzz seed ${seed}: ${calls} steps, ${DROPS} pools dropped (${dropLive} not yet reclaimed at the end of the loop), ${TERMINATIONS} workers terminated, ${binding.liveAllocators()} C allocators still live after gc`,
);
