/**
 * One backend's single-call scenarios under whichever runtime runs this file (Node, Bun, Deno):
 * `<runtime> dist/runtime-child.js <js|wasm|native> <out.json> [--quick]`. Writes the figures, and
 * the runtime's own name, as JSON. See runtimes.ts.
 */
import { writeFileSync } from 'node:fs';
import { loadBackend, runtimeName, type BackendName } from '@mempool/api';
import { describe, measure } from './measure.js';
import { arenaCases } from './scenarios/arena.js';
import { poolCases } from './scenarios/pool.js';
import { RUNTIME_SCENARIOS } from './runtimes.js';
import { budgetFor } from './types.js';

const [name = '', out = '', ...rest] = process.argv.slice(2);
const budget = budgetFor(rest.includes('--quick'));
let result: object;
try {
  const backend = await loadBackend(name as BackendName);
  const cases = [...poolCases(backend), ...arenaCases(backend)].filter((c) =>
    (RUNTIME_SCENARIOS as readonly string[]).includes(c.scenario),
  );
  result = await measure(name, cases, budget);
} catch (error) {
  result = { figures: [], skipped: [{ scenario: '*', subject: name, reason: describe(error) }] };
}
writeFileSync(out, JSON.stringify({ runtime: runtimeName(), ...result }));
