// `npm run examples`: runs every example on every backend it is for, each in its own process, and
// exits 1 if any fails. The cross-worker examples need shared pools, which the native backend
// does not have (its supports.shared is false).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const EXAMPLES = [
  { file: 'orderbook.mjs', backends: ['js', 'wasm', 'native'] },
  { file: 'scheduler.mjs', backends: ['js', 'wasm'] },
  { file: 'message-buffers.mjs', backends: ['js', 'wasm'] },
  { file: 'scratch-arena.mjs', backends: ['js', 'wasm', 'native'] },
];

let failed = 0;
for (const { file, backends } of EXAMPLES) {
  for (const backend of backends) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url)), backend], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const s = ((performance.now() - started) / 1000).toFixed(1);
    if (run.status === 0) process.stdout.write(`ok   ${file} ${backend} (${s} s): ${run.stdout.trim()}\n`);
    else {
      failed++;
      process.stdout.write(`FAIL ${file} ${backend} (${s} s, ${run.signal ?? `exit ${run.status}`}):\n${run.stdout}${run.stderr}\n`);
    }
  }
}
process.stdout.write(failed === 0 ? 'every example ran\n' : `${failed} example run(s) failed\n`);
process.exitCode = failed === 0 ? 0 : 1;
