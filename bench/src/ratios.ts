import type { Figure } from './types.js';

/** A target from issue 5, checked on this run's figures. */
export interface RatioResult {
  readonly target: string;
  /** How the ratio is formed, e.g. `js pool.pair / Uint8Array pool.pair`. */
  readonly formula: string;
  readonly value: number | null;
  readonly limit: number;
  readonly comparison: '<=' | '>=';
  readonly met: boolean | null;
  /** Why the ratio could not be formed, when it could not. */
  readonly missing?: string;
  /** Relative uncertainty of the ratio from the two figures' ±rme (percent, combined in quadrature). */
  readonly uncertaintyPercent?: number;
  /** The limit lies within that uncertainty: another run may well give the other verdict. */
  readonly borderline?: boolean;
  /** Not one of issue 5's targets: context printed next to them. */
  readonly supplementary?: boolean;
}

type Find = (scenario: string, subject: string) => Figure | undefined;

interface Term {
  readonly scenario: string;
  readonly subject: string;
}

const label = (t: Term) => `${t.subject} ${t.scenario}`;

function ratio(
  find: Find,
  target: string,
  num: Term | Term[],
  den: Term,
  comparison: '<=' | '>=',
  limit: number,
  numLabel?: string,
): RatioResult {
  const nums = Array.isArray(num) ? num : [num];
  const numFigs = nums.map((t) => find(t.scenario, t.subject)).filter((f): f is Figure => f !== undefined);
  const denFig = find(den.scenario, den.subject);
  const formula = `${numLabel ?? nums.map(label).join(', ')} / ${label(den)}`;
  const absent = [...nums.filter((t) => !find(t.scenario, t.subject)), ...(denFig ? [] : [den])];
  // For "the fastest of" several, any one present is enough; otherwise all must be present.
  if (!denFig || numFigs.length === 0 || (!Array.isArray(num) && absent.length > 0)) {
    return { target, formula, value: null, limit, comparison, met: null, missing: `not measured: ${absent.map(label).join(', ')}` };
  }
  const numFig = numFigs.reduce((a, b) => (b.nsPerOp < a.nsPerOp ? b : a));
  const value = numFig.nsPerOp / denFig.nsPerOp;
  const met = comparison === '<=' ? value <= limit : value >= limit;
  const uncertaintyPercent = Math.hypot(numFig.rmePercent, denFig.rmePercent);
  const borderline = Math.abs(value / limit - 1) * 100 <= uncertaintyPercent;
  return { target, formula, value, limit, comparison, met, uncertaintyPercent, borderline };
}

/** Every ratio issue 5 lists, in its order. */
export function computeRatios(figures: readonly Figure[]): RatioResult[] {
  const find: Find = (scenario, subject) => figures.find((f) => f.scenario === scenario && f.subject === subject);
  const t = (scenario: string, subject: string): Term => ({ scenario, subject });
  const fastestPreload = ['mimalloc', 'jemalloc', 'tcmalloc'].map((s) => t('c.malloc.pair', s));
  return [
    ratio(find, 'js: alloc+free pair at most 1/5 of new Uint8Array(64)', t('pool.pair', 'js'), t('pool.pair', 'Uint8Array'), '<=', 0.2),
    ratio(find, "wasm: pair at most 2x the js backend's", t('pool.pair', 'wasm'), t('pool.pair', 'js'), '<=', 2),
    ratio(find, 'native: pair at most 3x the empty addon call', t('pool.pair', 'native'), t('floor.call', 'addon call'), '<=', 3),
    ratio(find, "native: allocMany/freeMany per handle at most 1.5x the js pair", t('pool.many', 'native'), t('pool.pair', 'js'), '<=', 1.5),
    ratio(
      find,
      'C: pool alloc+free at least 3x faster than the fastest of mimalloc/jemalloc/tcmalloc',
      fastestPreload,
      t('c.pool.pair', 'C library'),
      '>=',
      3,
      'fastest of (mimalloc, jemalloc, tcmalloc) c.malloc.pair',
    ),
    ratio(find, 'C: pool alloc+free at least 8x faster than glibc malloc+free', t('c.malloc.pair', 'glibc'), t('c.pool.pair', 'C library'), '>=', 8),
    ratio(find, 'C: arena alloc at least 30x faster than a glibc malloc+free pair', t('c.malloc.pair', 'glibc'), t('c.arena.alloc16', 'C library'), '>=', 30),
    ...['js', 'wasm', 'native'].map((b) =>
      ratio(find, `${b}: at least 50x faster than MemPool in churn`, t('pool.churn', 'MemPool'), t('pool.churn', b), '>=', 50),
    ),
    ...['js', 'wasm', 'native'].flatMap((b) =>
      (['read', 'write'] as const).map((op) =>
        ratio(find, `${b}: a layout field ${op} at most 1.2x hand-written indexing`, t(`field.${op}.layout`, b), t(`field.${op}.hand`, b), '<=', 1.2),
      ),
    ),
    // Issue 12: shared allocators. Throughput figures are wall ns per operation with all workers
    // together, so the speed-up of 2 workers is the 1-worker figure over the 2-worker one.
    // Every backend that has them (a backend without supports.shared reads "not measured").
    ...['js', 'wasm'].flatMap((b) => [
      ratio(find, `${b}: shared pool's single-thread pair at most 3x the unshared pair`, t('shared.pair', b), t('pool.pair', b), '<=', 3),
      ratio(find, `${b}: shared pool alloc/free pairs, 2 workers at least 1.6x the throughput of 1`, t('shared.pairs.1w', b), t('shared.pairs.2w', b), '>=', 1.6),
      ratio(find, `${b}: shared pool producer/consumer, 2 workers at least 1.6x the throughput of 1`, t('shared.prodcons.1w', b), t('shared.prodcons.2w', b), '>=', 1.6),
      ratio(find, `${b}: shared pool pairs with 2 workers ahead of the same pool behind a mutex`, t('shared.pairs.2w', `${b} mutex`), t('shared.pairs.2w', b), '>=', 1),
      ratio(find, `${b}: shared pool producer/consumer ahead of the same pool behind a mutex`, t('shared.prodcons.2w', `${b} mutex`), t('shared.prodcons.2w', b), '>=', 1),
      {
        ...ratio(find, `(supplementary) ${b}: private pools per worker, 2 workers vs 1 (the ceiling)`, t('shared.pairs.1w', `${b} private`), t('shared.pairs.2w', `${b} private`), '>=', 1.6),
        supplementary: true,
      },
    ]),
    // Context, not a target: the same churn (1,000 allocs, then 1,000 frees) through the batch API,
    // which is how a native user would write it.
    ...['wasm', 'native'].map((b) => ({
      ...ratio(find, `(supplementary) ${b}: churn through allocMany/freeMany vs MemPool churn`, t('pool.churn', 'MemPool'), t('pool.many', b), '>=', 50),
      supplementary: true,
    })),
  ];
}
