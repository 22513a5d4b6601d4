import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const addon = fileURLToPath(new URL('../lib/asan/mempool_native.node', import.meta.url));
const libasan = spawnSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout.trim();

function fuzz(seed: number, steps: number) {
  const run = spawnSync(process.execPath, ['--expose-gc', 'test/fuzz-asan.mjs', String(seed), String(steps)], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      LD_PRELOAD: libasan,
      ASAN_OPTIONS: 'detect_leaks=0:halt_on_error=1:abort_on_error=0',
      UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
    },
    timeout: 100_000,
  });
  return run;
}

describe('never crash: random valid and invalid calls against the addon built with ASan+UBSan', () => {
  it('has the sanitized addon (make asan-addon)', () => {
    expect(existsSync(addon), `${addon}: run \`make asan-addon\``).toBe(true);
    expect(libasan).toMatch(/libasan\.so/);
  });

  const seeds = [20261125, Math.floor(Math.random() * 2 ** 31)];
  for (const seed of seeds) {
    it(`seed ${seed}: 40000 steps, zero sanitizer reports`, () => {
      const run = fuzz(seed, 40_000);
      const output = `${run.stdout}\n${run.stderr}`;
      expect(output, `seed ${seed}`).not.toMatch(/AddressSanitizer|LeakSanitizer|runtime error:|SUMMARY:/);
      expect(run.status, `seed ${seed}: ${output}`).toBe(0);
      expect(run.stdout).toContain(`fuzz seed ${seed}: 40000 steps`);
    });
  }
});
