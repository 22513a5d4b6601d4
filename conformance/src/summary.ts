import type { UserConsoleLog } from 'vitest';
import type { Reporter, TestModule } from 'vitest/node';
import { TEST_TABLE } from './table/table.js';

import { NOT_RUN_MARK, SUITE_PREFIX } from './summary-prefix.js';

export { SUITE_PREFIX };

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** Passed cases per test-table row. */
  tableRows: Map<string, number>;
  /** Whether any test-table row was registered (a caller may select groups without it). */
  tableSelected: boolean;
  notes: string[];
}

/**
 * A vitest reporter that closes the run with one line per backend:
 * `conformance js: N passed, M failed (test table 84 passed, 84 required; contract K passed)`. A test
 * file that could not load its backend counts as a failure of that backend, never as nothing; a
 * test-table row with fewer passing cases than the table's count is named, and so is every group
 * this platform could not run.
 */
export default class ConformanceSummary implements Reporter {
  /** `[suite, note]` for every group announced as not run while the suites were registered. */
  #notRun: [string, string][] = [];

  onUserConsoleLog(log: UserConsoleLog): void {
    for (const line of log.content.split('\n')) {
      if (!line.startsWith(NOT_RUN_MARK)) continue;
      const [suite = '', note = ''] = line.slice(NOT_RUN_MARK.length).split(' > ');
      this.#notRun.push([suite, `${note.replace(': ', ' not run: ')}`]);
    }
  }

  onTestRunEnd(modules: readonly TestModule[]): void {
    const counts = new Map<string, Counts>();
    const entry = (name: string): Counts => {
      if (!counts.has(name)) counts.set(name, { passed: 0, failed: 0, skipped: 0, tableRows: new Map(), tableSelected: false, notes: [] });
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
        if (TEST_TABLE.has(row)) counter.tableSelected = true;
        if (state === 'passed' && TEST_TABLE.has(row)) counter.tableRows.set(row, (counter.tableRows.get(row) ?? 0) + 1);
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
    for (const [suite, note] of this.#notRun) {
      if (suite.startsWith(SUITE_PREFIX)) entry(suite.slice(SUITE_PREFIX.length)).notes.push(note);
    }
    for (const [name, { passed, failed, skipped, tableRows, tableSelected, notes }] of counts) {
      const tablePassed = [...tableRows.values()].reduce((a, b) => a + b, 0);
      const tableExpected = [...TEST_TABLE.values()].reduce((a, b) => a + b, 0);
      const short = [...TEST_TABLE].filter(([row, n]) => (tableRows.get(row) ?? 0) < n).map(([row]) => row);
      const detail = [
        tableSelected
          ? `test table ${tablePassed} passed, ${tableExpected} required${short.length > 0 ? `, short: ${short.join(', ')}` : ''}`
          : passed + skipped === 0
            ? 'nothing ran'
            : 'test table not selected',
        `contract ${passed - tablePassed} passed`,
        ...(skipped > 0 ? [`${skipped} not run`] : []),
        ...notes,
      ];
      process.stdout.write(`${SUITE_PREFIX}${name}: ${passed} passed, ${failed} failed (${detail.join('; ')})\n`);
      // A run with the test table and nothing filtered out that leaves a row short fails, even if all passed.
      if (tableSelected && skipped === 0 && short.length > 0) process.exitCode = 1;
    }
  }
}
