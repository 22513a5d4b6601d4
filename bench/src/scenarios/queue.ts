/**
 * Handles passed between workers: `@mempool/collections`' HandleQueue (SPSC one at a time and in
 * batches of 64, MPMC) against `postMessage` of one handle per message on a `MessagePort` and
 * against the hand-written ring the shared-pool scenario used, with 1 producer + 1 consumer and
 * 2 + 2. A figure is wall nanoseconds per handle delivered, from the start line until the last
 * worker is done (so lower is better; handles per second is 1e9 / ns).
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { createHandleQueue } from '@mempool/collections';
import { describe } from '../measure.js';
import type { Budget, Figure, Skip } from '../types.js';
import { ARRIVED, CONTROL_BYTES, GO, type Carrier, type QueueTask } from './queue-worker.js';

const WORKER = new URL('./queue-worker.js', import.meta.url);

interface Run {
  readonly scenario: 'queue.1p1c' | 'queue.2p2c';
  readonly subject: string;
  readonly carrier: Carrier;
  readonly pairs: number;
}

const RUNS: readonly Run[] = [
  { scenario: 'queue.1p1c', subject: 'HandleQueue spsc', carrier: 'spsc', pairs: 1 },
  { scenario: 'queue.1p1c', subject: 'HandleQueue spsc, batches of 64', carrier: 'spsc-batch', pairs: 1 },
  { scenario: 'queue.1p1c', subject: 'HandleQueue mpmc', carrier: 'mpmc', pairs: 1 },
  { scenario: 'queue.1p1c', subject: 'hand-written ring', carrier: 'ring', pairs: 1 },
  { scenario: 'queue.1p1c', subject: 'postMessage', carrier: 'post', pairs: 1 },
  { scenario: 'queue.2p2c', subject: 'HandleQueue mpmc', carrier: 'mpmc', pairs: 2 },
  { scenario: 'queue.2p2c', subject: 'postMessage (2 port pairs)', carrier: 'post', pairs: 2 },
];

function start(task: QueueTask, transfer: MessagePort[]): Promise<number> {
  const worker = new Worker(WORKER, { workerData: task, transferList: transfer });
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve(performance.now()));
    worker.once('error', reject);
  });
}

/** Wall ms from the start line until every worker is done. */
async function timeRun(run: Run, ops: number): Promise<number> {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const words = new Int32Array(control);
  const queue =
    run.carrier === 'post' || run.carrier === 'ring'
      ? undefined
      : createHandleQueue(1024, { mode: run.carrier === 'mpmc' ? 'mpmc' : 'spsc' });
  const producers: Promise<number>[] = [];
  const consumers: Promise<number>[] = [];
  for (let p = 0; p < run.pairs; p++) {
    const base = { carrier: run.carrier, ops, control, ...(queue ? { queue: queue.share() } : {}) };
    if (run.carrier === 'post') {
      const { port1, port2 } = new MessageChannel();
      producers.push(start({ ...base, role: 'producer', port: port1 }, [port1]));
      consumers.push(start({ ...base, role: 'consumer', port: port2 }, [port2]));
    } else {
      producers.push(start({ ...base, role: 'producer' }, []));
      consumers.push(start({ ...base, role: 'consumer' }, []));
    }
  }
  while (Atomics.load(words, ARRIVED) < 2 * run.pairs) await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  Atomics.store(words, GO, 1);
  Atomics.notify(words, GO);
  await Promise.all(producers);
  queue?.close(); // consumers drain, then their pop returns 0
  const ends = await Promise.all(consumers);
  return Math.max(...ends) - t0;
}

export async function queueFigures(budget: Budget): Promise<{ figures: Figure[]; skipped: Skip[] }> {
  const figures: Figure[] = [];
  const skipped: Skip[] = [];
  const reps = budget.quick ? 1 : 3;
  for (const run of RUNS) {
    // postMessage is two orders of magnitude slower: fewer handles keep its run in seconds.
    const ops = run.carrier === 'post' ? (budget.quick ? 20_000 : 200_000) : budget.quick ? 200_000 : 2_000_000;
    try {
      const perHandle: number[] = [];
      for (let r = 0; r < reps; r++) perHandle.push(((await timeRun(run, ops)) * 1e6) / (ops * run.pairs));
      perHandle.sort((a, b) => a - b);
      const median = perHandle[Math.floor(perHandle.length / 2)]!;
      const mean = perHandle.reduce((a, b) => a + b, 0) / perHandle.length;
      const spread = perHandle.length > 1 ? Math.sqrt(perHandle.reduce((s, x) => s + (x - mean) ** 2, 0) / (perHandle.length - 1)) : 0;
      figures.push({
        scenario: run.scenario,
        subject: run.subject,
        unit: `handle from a producer worker to a consumer worker, ${run.pairs} + ${run.pairs} (wall ns per handle, median of ${reps})`,
        nsPerOp: median,
        rmePercent: (100 * spread) / mean,
        p99NsPerOp: perHandle[perHandle.length - 1]!,
        samples: reps,
        opsPerSample: ops * run.pairs,
        extra: { handlesPerSecond: Math.round(1e9 / median) },
      });
      process.stderr.write(
        `    ${run.subject.padEnd(32)} ${run.scenario}  ${median.toFixed(1).padStart(8)} ns/handle  ${(1e9 / median / 1e6).toFixed(2)} M handles/s\n`,
      );
    } catch (error) {
      skipped.push({ scenario: run.scenario, subject: run.subject, reason: describe(error) });
      process.stderr.write(`    ${run.subject} ${run.scenario}: FAILED ${describe(error)}\n`);
    }
  }
  return { figures, skipped };
}
