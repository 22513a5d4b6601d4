import { AUTO_ORDER } from '@mempool/api';
import type { Figure } from './types.js';

/** A target, checked on this run's figures. */
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
  /** Not a target: context printed next to them. */
  readonly supplementary?: boolean;
  /** Why the target is missed when it is: one sentence, printed under the table. */
  readonly whyMissed?: string;
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

/** Every target, then the supplementary context rows. The one table of targets: add new ones here. */
export function computeRatios(figures: readonly Figure[]): RatioResult[] {
  const find: Find = (scenario, subject) => figures.find((f) => f.scenario === scenario && f.subject === subject);
  const t = (scenario: string, subject: string): Term => ({ scenario, subject });
  const mallocs = ['glibc', 'mimalloc', 'jemalloc', 'tcmalloc'];
  const fastestMalloc = mallocs.map((s) => t('c.malloc.pair', s));
  const supplementary = (r: RatioResult): RatioResult => ({ ...r, target: `(supplementary) ${r.target}`, supplementary: true });
  const because = (r: RatioResult, whyMissed: string): RatioResult => ({ ...r, whyMissed });
  return [
    because(
      ratio(find, 'js: alloc+free pair at most 1/5 of new Uint8Array(64)', t('pool.pair', 'js'), t('pool.pair', 'Uint8Array'), '<=', 0.2),
      'a `Uint8Array` that dies at once costs V8 a bump in the young generation and a share of a cheap scavenge, while every `free` of the pool checks that the handle is a live slot of this pool (so a double free throws): that check is the floor of the js pair.',
    ),
    because(
      ratio(find, "wasm: pair at most 2x the js backend's", t('pool.pair', 'wasm'), t('pool.pair', 'js'), '<=', 2),
      'a wasm pair is two calls into WebAssembly, and two empty wasm calls (`floor.call`) already cost about as much as the whole js pair; only batches (`allocMany`/`freeMany`) amortise the crossing.',
    ),
    because(
      ratio(find, 'native: pair at most 3x the empty addon call', t('pool.pair', 'native'), t('floor.call', 'addon call'), '<=', 3),
      'a native pair is two crossings into the addon, so 2x the empty call is its floor before any work; the argument block, the allocator lookup by id and the checks on both sides of the boundary take the rest.',
    ),
    because(
      ratio(
        find,
        'native: allocMany/freeMany per handle at most 1.5x the js pair',
        t('pool.many', 'native'),
        t('pool.pair', 'js'),
        '<=',
        1.5,
      ),
      'the batch calls still validate every handle (duplicates included) before freeing any, which costs more per handle than the js pair does on this run.',
    ),
    // From C the limit is the call itself: an out-of-line alloc+free is two calls, an arena alloc one.
    because(
      ratio(
        find,
        'C: pool alloc+free at most 1.25x two empty calls',
        t('c.pool.pair', 'C library'),
        t('c.floor.pair', 'empty C call'),
        '<=',
        1.25,
      ),
      "an empty call returns in about a cycle because nothing waits on memory, while a pool pair is a chain of loads and stores through the pool's bookkeeping (the free-stack top, the slot's live stamp that lets `free` refuse a double free, the counters behind `stats()`), each waiting on the one before; the -flto row, where gcc inlines both calls, costs about the same, so the calls are not what is left.",
    ),
    because(
      ratio(
        find,
        'C: arena alloc at most 1.5x one empty call',
        t('c.arena.alloc16', 'C library'),
        t('c.floor.call', 'empty C call'),
        '<=',
        1.5,
      ),
      'an arena alloc checks its size and alignment arguments, rounds the offset up and compares it with the end of the buffer, a chain of dependent instructions that is longer than the call around it.',
    ),
    because(
      ratio(
        find,
        'C: pool alloc+free at least 1.5x faster than the fastest of glibc/mimalloc/jemalloc/tcmalloc',
        fastestMalloc,
        t('c.pool.pair', 'C library'),
        '>=',
        1.5,
        `fastest of (${mallocs.join(', ')}) c.malloc.pair`,
      ),
      'tcmalloc and jemalloc serve a same-size malloc/free pair from a per-thread cache in a handful of instructions without checking the pointer; the pool checks every free, which costs about what their whole pair does.',
    ),
    ...AUTO_ORDER.map((b) =>
      because(
        ratio(find, `${b}: at least 50x faster than MemPool in churn`, t('pool.churn', 'MemPool'), t('pool.churn', b), '>=', 50),
        b === 'js'
          ? "MemPool's free walks its list of blocks in use, so its churn cost depends on how many there are; a miss means that list was short and its figure low on this run."
          : `each ${b} alloc and free is one crossing into ${b === 'wasm' ? 'WebAssembly' : 'the addon'}, and those crossings alone come to more than 1/50 of MemPool's cost per object; through \`allocMany\`/\`freeMany\` (the supplementary row) the same churn meets it.`,
      ),
    ),
    because(
      ratio(
        find,
        'collections: HandleMap get at 1M keys at most 0.5x Map.get',
        t('index.get.1M', 'HandleMap'),
        t('index.get.1M', 'Map'),
        '<=',
        0.5,
      ),
      "at a million keys both tables are far larger than the caches, so each lookup is a cache miss on either; the HandleMap's is one miss, the Map's a bucket and then its entry chain.",
    ),
    because(
      ratio(
        find,
        'collections: HandleQueue SPSC, 1 producer + 1 consumer, at least 20x the handles per second of postMessage',
        t('queue.1p1c', 'postMessage'),
        t('queue.1p1c', 'HandleQueue spsc'),
        '>=',
        20,
      ),
      "Node 20's V8 does not inline `Atomics` calls (about 20 ns each, `Atomics.load` included) and a push and a pop make five, so a handle costs 60-70 ns in one thread before any cache line moves between cores; on a loaded two-core machine the two workers also rarely run at once, and each time the queue runs empty or full the handoff waits for the scheduler. Batches (`pushMany`/`popMany`, the supplementary row) amortise both.",
    ),
    // Context, not targets. The C library linked statically with -flto, where gcc may inline the
    // fast paths into the caller: the same two floors.
    supplementary(
      ratio(
        find,
        'C with -flto: pool alloc+free vs two empty calls',
        t('c.pool.pair', 'C library (LTO)'),
        t('c.floor.pair', 'empty C call'),
        '<=',
        1.25,
      ),
    ),
    supplementary(
      ratio(
        find,
        'C with -flto: arena alloc vs one empty call',
        t('c.arena.alloc16', 'C library (LTO)'),
        t('c.floor.call', 'empty C call'),
        '<=',
        1.5,
      ),
    ),
    // The same churn (1,000 allocs, then 1,000 frees) through the batch API, which is how a wasm or
    // native user would write it.
    ...AUTO_ORDER.filter((b) => b !== 'js').map((b) =>
      supplementary(
        ratio(find, `${b}: churn through allocMany/freeMany vs MemPool churn`, t('pool.churn', 'MemPool'), t('pool.many', b), '>=', 50),
      ),
    ),
    ...AUTO_ORDER.flatMap((b) =>
      (['read', 'write'] as const).map((op) =>
        ratio(
          find,
          `${b}: a layout field ${op} at most 1.2x hand-written indexing`,
          t(`field.${op}.layout`, b),
          t(`field.${op}.hand`, b),
          '<=',
          1.2,
        ),
      ),
    ),
    // Shared allocators. Throughput figures are wall ns per operation with all workers
    // together, so the speed-up of 2 workers is the 1-worker figure over the 2-worker one.
    // Every backend that has them (a backend without supports.shared reads "not measured").
    ...(['js', 'wasm'] as const).flatMap((b) => [
      because(
        ratio(find, `${b}: shared pool's single-thread pair at most 3x the unshared pair`, t('shared.pair', b), t('pool.pair', b), '<=', 3),
        b === 'js'
          ? "a shared pair is two compare-and-swaps on the slot's live word (one each way: they decide which holder owns the slot), and on Node 20 every `Atomics` call is a call into the runtime (12 to 16 ns, against 1 to 5 ns for a plain typed-array access), while the whole unshared pair is about 8 ns: two such calls are the floor of any design in which holders can take each other's free slots."
          : 'wasm atomics compile to locked instructions, about 20 cycles each with no other core involved, where the unshared pair makes plain loads and stores.',
      ),
      because(
        ratio(
          find,
          `${b}: one worker on a shared pool at least ${b === 'js' ? '0.2' : '0.67'}x the throughput of one on a private pool`,
          t('shared.pairs.1w', `${b} private`),
          t('shared.pairs.1w', b),
          '>=',
          b === 'js' ? 0.2 : 0.67,
        ),
        'see the single-thread pair row: two compare-and-swaps per pair where the private pool makes plain accesses.',
      ),
      because(
        ratio(
          find,
          `${b}: shared pool alloc/free pairs, 2 workers at least 1.6x the throughput of 1`,
          t('shared.pairs.1w', b),
          t('shared.pairs.2w', b),
          '>=',
          1.6,
        ),
        "each worker's calls write only its own holder's lines and the live words of the slots it uses, but fresh slots go out one at a time, ascending whichever holder asks, so two workers' slots interleave and their live words share cache lines: each compare-and-swap can move a line between the cores (the C library takes fresh slots 16 at a time: see its row). Taking fresh slots in runs per holder would remove that, at the cost of the ascending order across holders; the private pools' row shows what the machine gave two workers in this run.",
      ),
      because(
        ratio(
          find,
          `${b}: shared pool producer/consumer, 2 workers at least 1.6x the throughput of 1`,
          t('shared.prodcons.1w', b),
          t('shared.prodcons.2w', b),
          '>=',
          1.6,
        ),
        "every slot is allocated on one core and freed on the other: the slot's live word and bytes cross between the cores, the consumer's cache fills and moves a batch to the shared stack every 16 frees, and the producer's empties and takes one back every 16 allocs; one worker doing both keeps all of it in its own cache.",
      ),
      because(
        ratio(
          find,
          `${b}: shared pool pairs with 2 workers ahead of the same pool behind a mutex`,
          t('shared.pairs.2w', `${b} mutex`),
          t('shared.pairs.2w', b),
          '>=',
          1,
        ),
        'an `Atomics.wait` mutex that is rarely contended costs two atomic operations and then runs the unshared pool, as the lock-free pool costs two; with two workers on a loaded 2-core machine they are within their spread of each other, and the lock-free pool never blocks a worker behind one that stopped.',
      ),
      because(
        ratio(
          find,
          `${b}: shared pool producer/consumer ahead of the same pool behind a mutex`,
          t('shared.prodcons.2w', `${b} mutex`),
          t('shared.prodcons.2w', b),
          '>=',
          1,
        ),
        'see the pairs row: the two are close with two workers, and the spread between runs decides it.',
      ),
      supplementary(
        ratio(
          find,
          `${b}: private pools per worker, 2 workers vs 1 (the ceiling)`,
          t('shared.pairs.1w', `${b} private`),
          t('shared.pairs.2w', `${b} private`),
          '>=',
          1.6,
        ),
      ),
    ]),
    // The C library's shared pool from C threads (wall ns per pair of all threads together).
    because(
      ratio(
        find,
        'C: shared pool alloc/free pairs, 2 threads at least 1.6x the throughput of 1',
        t('c.shared.pairs.1t', 'C shared pool'),
        t('c.shared.pairs.2t', 'C shared pool'),
        '>=',
        1.6,
      ),
      "each thread's calls touch only its own holder's lines and the slots' live words; the harness logs the ratio from CPU time per pair as well, and where two private pools that share nothing also fall short (the supplementary row) the machine did not give the two threads a core each.",
    ),
    supplementary(
      ratio(
        find,
        'C: private pools per thread, 2 threads vs 1 (the ceiling)',
        t('c.private.pairs.1t', 'C private pools'),
        t('c.private.pairs.2t', 'C private pools'),
        '>=',
        1.6,
      ),
    ),
    supplementary(
      ratio(
        find,
        'collections: HandleQueue SPSC with batches of 64 vs postMessage, 1 + 1',
        t('queue.1p1c', 'postMessage'),
        t('queue.1p1c', 'HandleQueue spsc, batches of 64'),
        '>=',
        20,
      ),
    ),
  ];
}
