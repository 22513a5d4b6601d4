import type { Reporter, TestModule } from 'vitest/node';

/** Every backend's cases sit under a top-level `describe` named `conformance <backend>`. */
export const SUITE_PREFIX = 'conformance ';

/**
 * A vitest reporter that closes the run with one line per backend:
 * `conformance js: N passed, M failed`. A test file that could not load its backend counts as a
 * failure of that backend, never as nothing.
 */
export default class ConformanceSummary implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    const counts = new Map<string, { passed: number; failed: number; skipped: number; notes: string[] }>();
    const entry = (name: string) => {
      if (!counts.has(name)) counts.set(name, { passed: 0, failed: 0, skipped: 0, notes: [] });
      return counts.get(name)!;
    };
    for (const module of modules) {
      let seen = 0;
      for (const test of module.children.allTests()) {
        const root = test.fullName.split(' > ')[0] ?? '';
        if (!root.startsWith(SUITE_PREFIX)) continue;
        seen++;
        const state = test.result().state;
        const counter = entry(root.slice(SUITE_PREFIX.length));
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
    for (const [name, { passed, failed, skipped, notes }] of counts) {
      const skips = skipped > 0 ? `, ${skipped} not run` : '';
      const tail = notes.length > 0 ? ` (${notes.join('; ')})` : '';
      process.stdout.write(`${SUITE_PREFIX}${name}: ${passed} passed, ${failed} failed${skips}${tail}\n`);
    }
  }
}
