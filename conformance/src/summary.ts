import type { Reporter, TestModule } from 'vitest/node';
import { SEED_TABLE } from './seed/table.js';

/** Every backend's cases sit under a top-level `describe` named `conformance <backend>`. */
export const SUITE_PREFIX = 'conformance ';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** Passed cases per seed-table row. */
  seedRows: Map<string, number>;
  notes: string[];
}

/**
 * A vitest reporter that closes the run with one line per backend:
 * `conformance js: N passed, M failed (seed table 84/84 ..., contract K/K)`. A test file that could
 * not load its backend counts as a failure of that backend, never as nothing; a seed row with fewer
 * passing cases than the seed's count is named.
 */
export default class ConformanceSummary implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    const counts = new Map<string, Counts>();
    const entry = (name: string): Counts => {
      if (!counts.has(name)) counts.set(name, { passed: 0, failed: 0, skipped: 0, seedRows: new Map(), notes: [] });
      return counts.get(name)!;
    };
    for (const module of modules) {
      let seen = 0;
      for (const test of module.children.allTests()) {
        const [root = '', row = ''] = test.fullName.split(' > ');
        if (!root.startsWith(SUITE_PREFIX)) continue;
        seen++;
        const state = test.result().state;
        const counter = entry(root.slice(SUITE_PREFIX.length));
        if (state === 'passed' && SEED_TABLE.has(row)) counter.seedRows.set(row, (counter.seedRows.get(row) ?? 0) + 1);
        if (state === 'passed') counter.passed++;
        else if (state === 'failed') counter.failed++;
        else counter.skipped++;
      }
      const errors = module.errors();
      if (seen === 0 && errors.length > 0 && /\/test\/[^/]+\.test\.ts$/.test(module.moduleId)) {
        const name = module.moduleId.replace(/^.*\/test\//, '').replace(/\.test\.ts$/, '');
        const counter = entry(name);
        counter.failed++;
        counter.notes.push(`did not load: ${errors[0]?.message ?? 'unknown error'}`);
      }
    }
    for (const [name, { passed, failed, skipped, seedRows, notes }] of counts) {
      const seedPassed = [...seedRows.values()].reduce((a, b) => a + b, 0);
      const seedExpected = [...SEED_TABLE.values()].reduce((a, b) => a + b, 0);
      const short = [...SEED_TABLE].filter(([row, n]) => (seedRows.get(row) ?? 0) < n).map(([row]) => row);
      const detail = [
        `seed table ${seedPassed} passed, ${seedExpected} required${short.length > 0 ? `, short: ${short.join(', ')}` : ''}`,
        `contract ${passed - seedPassed} passed`,
        ...(skipped > 0 ? [`${skipped} not run`] : []),
        ...notes,
      ];
      process.stdout.write(`${SUITE_PREFIX}${name}: ${passed} passed, ${failed} failed (${detail.join('; ')})\n`);
      // A full run (nothing filtered out) that leaves a seed row short fails, even if all passed.
      if (skipped === 0 && short.length > 0) process.exitCode = 1;
    }
  }
}
