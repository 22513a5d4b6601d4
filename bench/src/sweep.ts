import { PerformanceObserver, performance } from 'node:perf_hooks';

/**
 * One point of a scale sweep: one subject running one workload with `live` objects alive, in a
 * process of its own. What `latest.json` holds under `sweeps` and what the sweep chart draws.
 */
export interface SweepPoint {
  /** `orderbook` (resting orders) or `churn` (live objects replaced at random). */
  readonly workload: SweepWorkload;
  /** As in tables and charts: `objects+Map`, `js`, `object pool`, ... */
  readonly subject: string;
  /** Objects alive while timing: resting orders, or live objects of the churn. */
  readonly live: number;
  /** Events (order book) or replacements (churn) timed. */
  readonly events: number;
  /** Wall time of the timed events divided by their number (the latency timer included). */
  readonly nsPerEvent: number;
  /** Per-event latency percentiles, from batches of `batch` events (one timer pair per batch). */
  readonly p50Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
  readonly batch: number;
  /** Garbage-collection pauses (`PerformanceObserver` 'gc' entries) that started while timing. */
  readonly gcCount: number;
  readonly gcTotalMs: number;
  readonly gcMaxMs: number;
  /** Growth per live object, after a full collection, from before the structure to after it was filled. */
  readonly heapBytesPerLive: number;
  /** `external` + `arrayBuffers`: buffers outside the JavaScript heap (pool memory on js and wasm). */
  readonly externalBytesPerLive: number;
  readonly rssBytesPerLive: number;
  /** Equal on every subject for the same workload and size, or a subject computed something else. */
  readonly checksum: string;
  /** Timed passes; the median one by total time is reported. */
  readonly passes: number;
  /** The run passed its time limit and stopped early: the figures cover the events timed until then. */
  readonly stoppedEarly?: boolean;
}

export type SweepWorkload = 'orderbook' | 'churn';

/** The sizes swept: resting orders for the order book, live objects for the churn. */
export const SWEEP_SIZES: Record<SweepWorkload, readonly number[]> = {
  orderbook: [10_000, 100_000, 1_000_000],
  churn: [1_000, 100_000, 1_000_000],
};

/** A quick run keeps only the smallest size. */
export const sweepSizes = (workload: SweepWorkload, quick: boolean): readonly number[] =>
  quick ? SWEEP_SIZES[workload].slice(0, 1) : SWEEP_SIZES[workload];

/** `--expose-gc`'s full collection, twice so that weak callbacks and finalizers run. */
function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the sweep needs node --expose-gc');
  gc();
  gc();
}

interface Footprint {
  readonly heap: number;
  readonly external: number;
  readonly rss: number;
}

/** What the process holds after a full collection. */
function footprint(): Footprint {
  collect();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external + m.arrayBuffers, rss: m.rss };
}

/** Bytes per live object between two footprints. */
const perLive = (before: Footprint, after: Footprint, live: number) => ({
  heapBytesPerLive: Math.round(((after.heap - before.heap) / live) * 10) / 10,
  externalBytesPerLive: Math.round(((after.external - before.external) / live) * 10) / 10,
  rssBytesPerLive: Math.round(((after.rss - before.rss) / live) * 10) / 10,
});

interface Pauses {
  readonly gcCount: number;
  readonly gcTotalMs: number;
  readonly gcMaxMs: number;
}

/** Starts recording GC pauses; `stop(from, to)` returns those that started in that window. */
function watchGc(): { stop(from: number, to: number): Promise<Pauses> } {
  const seen: { start: number; duration: number }[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) seen.push({ start: e.startTime, duration: e.duration });
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    async stop(from, to) {
      // 'gc' entries arrive asynchronously: let the observer catch up before reading them.
      await new Promise((r) => setTimeout(r, 50));
      obs.disconnect();
      const inRun = seen.filter((g) => g.start >= from && g.start <= to);
      const round = (x: number) => Math.round(x * 100) / 100;
      return {
        gcCount: inRun.length,
        gcTotalMs: round(inRun.reduce((a, g) => a + g.duration, 0)),
        gcMaxMs: round(inRun.reduce((a, g) => Math.max(a, g.duration), 0)),
      };
    },
  };
}

/** A timed run: wall time, per-batch latency (ns per event) and GC pauses. */
interface Timed extends Pauses {
  readonly totalMs: number;
  /** Events timed: fewer than asked when the run stopped at its time limit. */
  readonly events: number;
  readonly perEvent: Float64Array;
}

/** How long a run goes before its projected length is checked against the limit. */
const PROJECT_AFTER_MS = 1_000;

/**
 * Times `events` events through `run(n)` in batches of `batch` (one `performance.now()` pair per
 * batch, so the timer does not dominate; a GC pause shows up in the batch it hits). Stops early
 * when, after `PROJECT_AFTER_MS`, the run at its rate so far would take longer than `limitMs`: a
 * subject orders of magnitude too slow at this size is measured on what it got through, not waited
 * for, while a merely slow one (or a busy machine) still runs to the end.
 */
async function timeBatches(run: (n: number) => void, events: number, batch: number, limitMs: number): Promise<Timed> {
  const batches = Math.floor(events / batch);
  const perEvent = new Float64Array(batches);
  const gc = watchGc();
  const start = performance.now();
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    run(batch);
    const t1 = performance.now();
    perEvent[b] = ((t1 - t0) * 1e6) / batch;
    if (t1 - start > PROJECT_AFTER_MS && ((t1 - start) * batches) / (b + 1) > limitMs && b + 1 < batches) {
      return { totalMs: t1 - start, events: (b + 1) * batch, perEvent: perEvent.subarray(0, b + 1), ...(await gc.stop(start, t1)) };
    }
  }
  run(events - batches * batch);
  const end = performance.now();
  return { totalMs: end - start, events, perEvent, ...(await gc.stop(start, end)) };
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/** p50/p99/p99.9 of the per-event latency, in ns, one decimal. */
function latency(perEvent: Float64Array): { p50Ns: number; p99Ns: number; p999Ns: number } {
  const sorted = perEvent.slice().sort();
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return { p50Ns: round1(percentile(sorted, 50)), p99Ns: round1(percentile(sorted, 99)), p999Ns: round1(percentile(sorted, 99.9)) };
}

/** How long a warm-up may take: enough for the JIT, without waiting on a subject that is slow by design. */
export const WARM_UP_MS = 1_000;

/** Runs `run(n)` in chunks of `chunk` up to `total`, or until `WARM_UP_MS` have passed. */
export function warmUp(run: (n: number) => void, total: number, chunk: number): void {
  const start = performance.now();
  for (let done = 0; done < total && performance.now() - start < WARM_UP_MS; done += chunk) run(Math.min(chunk, total - done));
}

/** The median of several timed passes by total time: one descheduled moment should not decide it. */
const medianPass = <T extends { totalMs: number }>(passes: readonly T[]): T =>
  [...passes].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(passes.length / 2)]!;

/** What a sweep point times: a structure of `live` objects that events are applied to. */
export interface Instance {
  /** Builds the `live` objects (untimed). */
  fill(): void;
  /** Applies the next `n` events. */
  step(n: number): void;
  /** The same on every subject for the same workload and size. */
  checksum(): string;
  dispose(): void;
}

/** Which point is being measured, and how. */
export interface PointSpec {
  readonly workload: SweepWorkload;
  readonly subject: string;
  readonly live: number;
  readonly events: number;
  /** Events per latency sample. */
  readonly batch: number;
  readonly passes: number;
  readonly limitMs: number;
}

/**
 * Times `spec.passes` fresh instances, each filled after a full collection (the first one's
 * footprint is taken around its fill), and reports the median pass by total time.
 */
export async function measurePoint(spec: PointSpec, make: () => Instance): Promise<SweepPoint> {
  const complete: (Timed & { checksum: string })[] = [];
  const stopped: (Timed & { checksum: string })[] = [];
  let memory: ReturnType<typeof perLive> | undefined;
  for (let i = 0; i < spec.passes; i++) {
    const before = footprint();
    const instance = make();
    instance.fill();
    if (i === 0) memory = perLive(before, footprint(), spec.live);
    else collect();
    const timed = await timeBatches((n) => instance.step(n), spec.events, spec.batch, spec.limitMs);
    (timed.events < spec.events ? stopped : complete).push({ ...timed, checksum: instance.checksum() });
    instance.dispose();
  }
  // A pass stopped early beside complete ones was disturbed (the machine is shared): the complete
  // ones stand. Only when every pass stopped early is the subject that slow at this size.
  const stoppedEarly = complete.length === 0;
  const runs = stoppedEarly ? stopped : complete;
  const sums = new Set(runs.map((r) => r.checksum));
  if (sums.size !== 1 && !stoppedEarly) throw new Error(`${spec.subject}: passes disagree: ${[...sums].join(' vs ')}`);
  const pass = medianPass(runs);
  const point: SweepPoint = {
    workload: spec.workload,
    subject: spec.subject,
    live: spec.live,
    events: pass.events,
    nsPerEvent: (pass.totalMs * 1e6) / pass.events,
    ...latency(pass.perEvent),
    batch: spec.batch,
    gcCount: pass.gcCount,
    gcTotalMs: pass.gcTotalMs,
    gcMaxMs: pass.gcMaxMs,
    ...memory!,
    checksum: stoppedEarly ? 'stopped early' : pass.checksum,
    passes: runs.length,
    ...(stoppedEarly ? { stoppedEarly } : {}),
  };
  logPoint(point);
  return point;
}

/** One progress line on stderr. */
function logPoint(p: SweepPoint): void {
  const fmt = (n: number) => n.toLocaleString('en-US');
  process.stderr.write(
    `    ${p.subject.padEnd(14)} ${p.workload} ${fmt(p.live).padStart(9)} live  ${p.nsPerEvent.toFixed(1).padStart(7)} ns/event  ` +
      `p99.9 ${p.p999Ns} ns  GC ${p.gcCount}× total ${p.gcTotalMs} ms, longest ${p.gcMaxMs} ms  ` +
      `heap ${p.heapBytesPerLive} B/live, rss ${p.rssBytesPerLive} B/live  [${p.checksum}]\n`,
  );
}
