/**
 * mulberry32: a small seeded generator of floats in [0, 1), the same on every machine and runtime,
 * so a trace or a failing run replays from its seed. The suite's trace and stress workers and the
 * bench use it (`@mempool/conformance/random`, which loads no test runner); only `examples/` keep
 * their own few lines, so each example stands alone.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
