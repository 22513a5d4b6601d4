// A worker of test/shared-workers.test.ts: attaches to the shared pool or arena it is given and
// runs one job on it, then reports. Imports the built package (dist/).
import { parentPort, workerData } from 'node:worker_threads';
import { backend } from '../dist/index.js';

const { job, descriptor, id, ops, seed, gate } = workerData;

/** A small deterministic generator (mulberry32), so a failing seed replays. */
function random(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Waits until the main thread opens the gate, so the workers start together. */
function waitAtGate() {
  const word = new Int32Array(gate);
  Atomics.add(word, 1, 1);
  Atomics.wait(word, 0, 0);
}

if (job === 'stamp') {
  // Hold up to 32 slots; stamp each with (id, sequence) and check the stamp before freeing it.
  const pool = backend.attachFixedPool(descriptor);
  const words = new Uint32Array(pool.memory);
  const next = random(seed);
  const held = [];
  const stamps = [];
  let sequence = 0;
  let failures = 0;
  let bad = 0;
  waitAtGate();
  for (let op = 0; op < ops; op++) {
    if (held.length > 0 && (held.length >= 32 || next() < 0.5)) {
      const k = Math.floor(next() * held.length);
      const handle = held[k];
      if (words[handle / 4] !== id || words[handle / 4 + 1] !== stamps[k]) bad++;
      held[k] = held[held.length - 1];
      stamps[k] = stamps[stamps.length - 1];
      held.pop();
      stamps.pop();
      pool.free(handle);
    } else {
      const handle = pool.alloc();
      if (handle === 0) {
        failures++;
        continue;
      }
      words[handle / 4] = id;
      words[handle / 4 + 1] = ++sequence;
      held.push(handle);
      stamps.push(sequence);
    }
  }
  for (let k = 0; k < held.length; k++) {
    if (words[held[k] / 4] !== id || words[held[k] / 4 + 1] !== stamps[k]) bad++;
  }
  pool.freeMany(new Float64Array(held));
  parentPort.postMessage({ bad, failures });
} else if (job === 'race') {
  // Free the one handle at the gate: exactly one of the racers may succeed.
  const pool = backend.attachFixedPool(descriptor);
  waitAtGate();
  try {
    pool.free(workerData.handle);
    parentPort.postMessage({ won: true });
  } catch (error) {
    parentPort.postMessage({ won: false, code: error.code });
  }
} else if (job === 'bump') {
  // Allocate from the shared arena and report every [start, end) this worker got.
  const arena = backend.attachArena(descriptor);
  const next = random(seed);
  const ranges = [];
  waitAtGate();
  for (let op = 0; op < ops; op++) {
    const size = 1 + Math.floor(next() * 24);
    const align = 2 ** Math.floor(next() * 4);
    const start = arena.alloc(size, align);
    if (start === 0) break;
    if (start % align !== 0) ranges.push(-1, -1);
    ranges.push(start, start + size);
  }
  parentPort.postMessage({ ranges });
}
