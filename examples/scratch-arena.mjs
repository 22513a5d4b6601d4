// Scratch buffers: each frame of work takes its temporary arrays from an arena and drops them all
// at once with reset(), so a stream of frames allocates nothing on the JavaScript heap.
// `node examples/scratch-arena.mjs [js|wasm|native] [frames]`.
import { loadBackend } from '@mempool/api';

const backendName = process.argv[2] ?? 'js';
const FRAMES = Number(process.argv[3] ?? 2_000);
const backend = await loadBackend(backendName);
const scratch = backend.createArena(1 << 20);

/** One frame: parses `n` readings from text bytes into scratch floats, then smooths and sums them. */
function frame(text, n) {
  const values = scratch.alloc(n * 8, 8);
  const smooth = scratch.alloc(n * 8, 16);
  if (values === 0 || smooth === 0) throw new Error('scratch arena too small for this frame');
  const v = new Float64Array(scratch.memory, values, n);
  const s = new Float64Array(scratch.memory, smooth, n);
  let k = 0;
  let x = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === 44) {
      v[k++] = x; // ','
      x = 0;
    } else x = x * 10 + (c - 48);
  }
  v[k++] = x;
  let total = 0;
  for (let i = 0; i < n; i++) {
    s[i] = (v[Math.max(0, i - 1)] + v[i] + v[Math.min(n - 1, i + 1)]) / 3;
    total += s[i];
  }
  return total;
}

/** The same frame with ordinary arrays, to check the arena's answers against. */
function reference(text, n) {
  const v = new TextDecoder().decode(text).split(',').map(Number);
  let total = 0;
  for (let i = 0; i < n; i++) total += (v[Math.max(0, i - 1)] + v[i] + v[Math.min(n - 1, i + 1)]) / 3;
  return total;
}

const encoder = new TextEncoder();
let peak = 0;
for (let f = 0; f < FRAMES; f++) {
  const n = 100 + ((f * 37) % 900);
  const text = encoder.encode(Array.from({ length: n }, (_, i) => (f * 31 + i * 17) % 1000).join(','));
  const got = frame(text, n);
  peak = Math.max(peak, scratch.stats().offset);
  if (f % 97 === 0 && Math.abs(got - reference(text, n)) > 1e-6) throw new Error(`frame ${f}: ${got} != ${reference(text, n)}`);
  scratch.reset(); // every temporary of the frame gone at once
  if (scratch.stats().offset !== 0) throw new Error('reset() left bytes allocated');
}
console.log(`scratch arena on ${backend.name}: ${FRAMES} frames, peak ${peak} of ${scratch.stats().bufferSize} bytes, reset after each`);
scratch.destroy();
