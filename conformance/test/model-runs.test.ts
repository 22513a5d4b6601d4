import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkedCommand, type Counter } from '../src/contract/model-runs.js';

describe('model-based runs count only the commands that ran', () => {
  it('a command that cannot run now is skipped, not counted, and its step never runs', () => {
    const counter: Counter = { ran: 0 };
    const steps: string[] = [];
    const state = { live: 0 };
    const idle = checkedCommand(
      counter,
      'free(live)',
      (s: typeof state) => s.live > 0,
      () => steps.push('free'),
      () => {},
    );
    const busy = checkedCommand(
      counter,
      'alloc',
      () => true,
      (s: typeof state) => {
        s.live++;
        steps.push('alloc');
      },
      () => {},
    );
    fc.modelRun(() => ({ model: state, real: state }), [idle, busy, idle]);
    expect(steps).toEqual(['alloc', 'free']);
    expect(counter.ran).toBe(2);
  });
});
