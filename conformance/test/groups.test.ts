import { describe, expect, it } from 'vitest';
import { backend as js } from '@mempool/backend-js';
import type { Backend, BackendSupports } from '@mempool/api';
import { CONFORMANCE_GROUPS, planGroups } from '../src/index.js';

const withSupports = (supports: Partial<BackendSupports>): Backend => ({ ...js, supports: { ...js.supports, ...supports } });
const states = (plan: ReturnType<typeof planGroups>) => Object.fromEntries(plan.map((p) => [p.group, p.state]));

describe('registerConformanceSuite switches groups by the supports manifest and the options, never by name', () => {
  it('runs every group by default, in order, when the backend declares everything and a probe is given', () => {
    const backend = withSupports({ absoluteAlignment: 16 });
    const plan = planGroups({ backend, options: { addressOf: () => 0 } });
    expect(plan.map((p) => p.group)).toEqual([...CONFORMANCE_GROUPS]);
    expect(plan.filter((p) => p.state !== 'run')).toEqual([]);
  });
  it('leaves out a group whose capability the backend does not declare', () => {
    const backend = withSupports({ gcReclaim: false, maxMemoryBytes: 2 ** 30, absoluteAlignment: 0 });
    expect(states(planGroups({ backend, options: {} }))).toMatchObject({
      gcReclaim: 'not declared',
      bigMemory: 'not declared',
      absoluteAlignment: 'not declared',
      testTable: 'run',
      modelRuns: 'run',
    });
  });
  it('reports a declared group it cannot check as not run, with the reason', () => {
    const plan = planGroups({ backend: withSupports({ absoluteAlignment: 8 }), options: {} });
    expect(plan.find((p) => p.group === 'absoluteAlignment')).toEqual({
      group: 'absoluteAlignment',
      state: 'not run',
      reason: expect.stringContaining('no options.addressOf probe'),
    });
  });
  it('runs only the groups the caller selects, in the suite order', () => {
    const plan = planGroups({ backend: js, options: { groups: ['determinism', 'testTable'] } });
    expect(plan).toEqual([
      { group: 'testTable', state: 'run' },
      { group: 'determinism', state: 'run' },
    ]);
  });
  it('refuses an unknown group name with ERR_MEMPOOL_INVALID_ARGUMENT', () => {
    expect(() => planGroups({ backend: js, options: { groups: ['speed' as never] } })).toThrow(
      expect.objectContaining({
        name: 'RangeError',
        code: 'ERR_MEMPOOL_INVALID_ARGUMENT',
        message: expect.stringContaining('got "speed"'),
      }),
    );
  });
});
