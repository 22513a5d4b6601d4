import { Bench } from 'tinybench';
import type { Budget, Figure, Skip } from './types.js';

/** One timed body: `fn` performs `ops` operations of `unit` each call. */
export interface Case {
  readonly scenario: string;
  readonly unit: string;
  readonly ops: number;
  readonly fn: () => void;
  /** Runs once before timing; throws if the body would measure a broken path. */
  readonly check?: () => void;
  /** Reports the figure under this subject instead of the run's (a second floor in one process). */
  readonly subject?: string;
}

/** Where bodies put results so the JIT cannot drop the work. */
export const blackhole = { value: 0 as unknown };

const fmt = (ns: number): string => (ns >= 100 ? ns.toFixed(0) : ns >= 10 ? ns.toFixed(1) : ns.toFixed(2));

/** Runs every case with tinybench, one after another, printing progress to stderr. */
export async function measure(subject: string, cases: readonly Case[], budget: Budget): Promise<{ figures: Figure[]; skipped: Skip[] }> {
  const figures: Figure[] = [];
  const skipped: Skip[] = [];
  for (const c of cases) {
    const who = c.subject ?? subject;
    try {
      c.check?.();
      c.fn();
    } catch (error) {
      skipped.push({ scenario: c.scenario, subject: who, reason: `failed before timing: ${describe(error)}` });
      process.stderr.write(`    ${who} ${c.scenario}: FAILED ${describe(error)}\n`);
      continue;
    }
    const bench = new Bench({ time: budget.timeMs, warmupTime: budget.warmupMs, throws: false });
    bench.add(c.scenario, c.fn);
    const [task] = await bench.run();
    const result = task?.result;
    if (!result || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) {
      const reason = result && result.state === 'errored' ? describe(result.error) : `state ${result?.state}`;
      skipped.push({ scenario: c.scenario, subject: who, reason: `failed while timing: ${reason}` });
      process.stderr.write(`    ${who} ${c.scenario}: FAILED ${reason}\n`);
      continue;
    }
    const lat = result.latency;
    const nsPerOp = (lat.mean * 1e6) / c.ops;
    const figure: Figure = {
      scenario: c.scenario,
      subject: who,
      unit: c.unit,
      nsPerOp,
      rmePercent: lat.rme,
      p99NsPerOp: (lat.p99 * 1e6) / c.ops,
      samples: lat.samplesCount,
      opsPerSample: c.ops,
    };
    figures.push(figure);
    process.stderr.write(
      `    ${who.padEnd(10)} ${c.scenario.padEnd(16)} ${fmt(nsPerOp).padStart(9)} ns/op  ±${lat.rme.toFixed(1)}%  (${lat.samplesCount} samples)\n`,
    );
  }
  return { figures, skipped };
}

export const describe = (error: unknown): string =>
  error instanceof Error
    ? `${error.name}${(error as { code?: string }).code ? ` ${(error as { code?: string }).code}` : ''}: ${error.message.split('\n')[0]}`
    : String(error);
