import * as vitest from 'vitest';

/** A case body: returns when it passed, throws (or rejects) when it failed. */
export type CaseBody = () => unknown;

/**
 * The test runner's hooks the suite registers its cases with, as abstract-level's suite takes
 * `test`: vitest's by default, or another runner's (node:test's `describe`/`it`/`afterEach` fit
 * as they are). Assertions are vitest's `expect`, which throws on failure under any runner.
 * `afterEach`, when given, runs the suite's clean-up; without it the suite cleans up at the end of
 * each case itself.
 */
export interface ConformanceRunner {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: CaseBody): unknown;
  afterEach?(hook: () => unknown): unknown;
}

const VITEST: ConformanceRunner = { describe: vitest.describe, it: vitest.it, afterEach: vitest.afterEach };

let current: ConformanceRunner = VITEST;
/** Clean-ups to run after each case when the runner has no `afterEach`. */
const cleanups: (() => void)[] = [];

/**
 * Registers the cases `register` adds on `runner` (vitest's when undefined): registration is
 * synchronous, so the module's hooks point at `runner` only while it runs.
 */
export function withRunner(runner: ConformanceRunner | undefined, register: () => void): void {
  const previous = current;
  current = runner ?? VITEST;
  try {
    register();
  } finally {
    current = previous;
  }
}

export function describe(name: string, body: () => void): void {
  current.describe(name, body);
}

export function it(name: string, body: CaseBody): void {
  if (current.afterEach !== undefined) {
    current.it(name, body);
    return;
  }
  current.it(name, () => afterCase(body));
}

/** Runs `body`, then the clean-ups, whether it passed or failed (synchronously or not). */
async function afterCase(body: CaseBody): Promise<void> {
  try {
    await body();
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

/** `hook` after every case registered from here on: the runner's `afterEach`, or the suite's own. */
export function afterEach(hook: () => void): void {
  if (current.afterEach !== undefined) current.afterEach(hook);
  else cleanups.push(hook);
}
