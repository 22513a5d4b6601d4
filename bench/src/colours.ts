/**
 * One colour per subject, the same in every chart, chosen so that no two subjects that share a
 * chart look alike: backends in strong hues, the JavaScript alternatives in warm ones, the floors
 * in greys (darker = costlier call), the C allocators apart from all of them.
 */
const FIXED: Record<string, string> = {
  js: '#1f77b4',
  wasm: '#9467bd',
  native: '#2ca02c',
  'js, id index': '#17becf',
  'C library': '#0b5d1e',
  'C library (LTO)': '#17becf',
  objects: '#d62728',
  object: '#d62728',
  'object pool': '#ff7f0e',
  MemPool: '#8c564b',
  Uint8Array: '#e377c2',
  Buffer: '#bcbd22',
  'empty loop': '#d9d9d9',
  'wasm call': '#b3b3b3',
  'raw N-API call': '#8c8c8c',
  'addon call': '#5c5c5c',
  'empty C call': '#000000',
  glibc: '#fdae61',
  mimalloc: '#a6761d',
  jemalloc: '#e7298a',
  tcmalloc: '#1b9e77',
};

/** For subjects added later (a layout-based pool, ...): distinct from the fixed ones above. */
const SPARE = ['#000080', '#ffd700', '#808000', '#00ced1', '#8b0000', '#ff1493'];

/** A vega ordinal colour scale's domain and range for these subjects, in this order. */
export function subjectColours(subjects: readonly string[]): { domain: string[]; range: string[] } {
  let spare = 0;
  return {
    domain: [...subjects],
    range: subjects.map((s) => FIXED[s] ?? SPARE[spare++ % SPARE.length]!),
  };
}
