/**
 * mulberry32: a small seeded generator of floats in [0, 1), the same on every machine and runtime,
 * so a trace or a failing run replays from its seed. The one copy in the tree: the suite's trace and
 * stress workers use it, and a backend's own tests or benchmarks can import it from
 * `@mempool/conformance`.
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
