import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BackendModule } from '@mempool/api';
import * as js from '@mempool/backend-js';
import { type CaseBody, type ConformanceRunner, registerConformanceSuite } from '../src/index.js';

interface Collected {
  readonly name: string;
  readonly body: CaseBody;
}

/** A hand-made runner: collects every case with its full name, runs nothing until asked. */
function collectingRunner(): { runner: ConformanceRunner; cases: Collected[] } {
  const path: string[] = [];
  const cases: Collected[] = [];
  const runner: ConformanceRunner = {
    describe(name, body) {
      path.push(name);
      try {
        body();
      } finally {
        path.pop();
      }
    },
    it(name, body) {
      cases.push({ name: [...path, name].join(' > '), body });
    },
  };
  return { runner, cases };
}

/** The names of the cases whose body threw or rejected. */
async function failures(cases: readonly Collected[]): Promise<string[]> {
  const failed: string[] = [];
  for (const { name, body } of cases) {
    try {
      await body();
    } catch {
      failed.push(name);
    }
  }
  return failed;
}

const groups = ['testTable', 'errorMatrix'] as const;

describe('the suite under another runner', () => {
  it('registers its cases on the runner it is given (none on vitest) and they pass on a conforming backend', async () => {
    const { runner, cases } = collectingRunner();
    registerConformanceSuite(js, { runner, groups, shared: false });
    expect(cases.length).toBeGreaterThan(50);
    expect(cases.every((c) => c.name.startsWith('conformance js > '))).toBe(true);
    expect(await failures(cases)).toEqual([]);
  });

  it('reports a failure through the runner: a backend whose version lies fails that case', async () => {
    const { runner, cases } = collectingRunner();
    const lying: BackendModule = { ...js, backend: { ...js.backend, version: '0.0.0-lie' } };
    registerConformanceSuite(lying, { runner, groups, shared: false });
    const failed = await failures(cases);
    expect(failed).toContain('conformance js > Version info > the backend reports the same version as the package export');
    expect(failed.length).toBeLessThan(cases.length / 10);
  });

  it("runs under node:test with node:test's describe/it/afterEach", () => {
    const fixture = fileURLToPath(new URL('./fixtures/node-test-runner.mjs', import.meta.url));
    const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', fixture], { encoding: 'utf8', timeout: 100_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const passed = Number(/^# pass (\d+)$/m.exec(run.stdout)?.[1]);
    expect(passed).toBeGreaterThan(50);
    expect(run.stdout).toMatch(/^# fail 0$/m);
  });
});
