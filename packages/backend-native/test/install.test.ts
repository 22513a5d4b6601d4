// The package as a user installs it: from its tarball, into a project outside the repository.
// With the prebuild it loads with no compiler step; with the prebuild hidden (a platform we ship
// none for) and install scripts not run, importing it says what to install and what to run; and
// that command builds the addon from the shipped sources.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
// @mempool/api and the packages it depends on, none of which the registry has before a release.
const apiDirs = ['base', 'layout', 'api'].map((name) => fileURLToPath(new URL(`../../${name}`, import.meta.url)));
const npm = (cwd: string, ...args: string[]) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd, encoding: 'utf8' });
const smoke = `import('@mempool/backend-native').then(({ createFixedPool, version }) => {
  const pool = createFixedPool(8, 4);
  console.log(JSON.stringify({ version, handle: pool.alloc() }));
}, (error) => { console.log(JSON.stringify({ message: error.message })); })`;
const run = (cwd: string) =>
  JSON.parse(execFileSync(process.execPath, ['-e', smoke], { cwd, encoding: 'utf8' })) as Record<string, unknown>;

let work: string;
let apiTarballs: string[];
let nativeTarball: string;

/** A fresh project with the api's tarballs and `native` (a tarball) installed, install scripts not run. */
function project(name: string, native: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  npm(dir, 'install', '--ignore-scripts', ...apiTarballs, native);
  return join(dir, 'node_modules', '@mempool', 'backend-native');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mempool-native-install-'));
  apiTarballs = apiDirs.map((dir) => join(work, npm(dir, 'pack', `--pack-destination=${work}`).trim().split('\n').pop()!));
  nativeTarball = join(work, npm(packageDir, 'pack', `--pack-destination=${work}`).trim().split('\n').pop()!);
}, 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('installed from its tarball', () => {
  it('loads the shipped prebuild, with no build step', () => {
    const installed = project('with-prebuild', nativeTarball);
    expect(readdirSync(join(installed, 'prebuilds'))).toContain(`${process.platform}-${process.arch}`);
    expect(existsSync(join(installed, 'build'))).toBe(false);
    expect(run(join(installed, '..', '..', '..'))).toEqual({ version: '0.1.0', handle: 64 });
  }, 60_000);

  it('without a prebuild for the platform: the import says what to install and which command to run, and that command builds it', () => {
    // The same tarball with prebuilds/ taken out.
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', nativeTarball, '-C', unpacked]);
    rmSync(join(unpacked, 'package', 'prebuilds'), { recursive: true });
    const hidden = join(work, 'native-without-prebuilds.tgz');
    execFileSync('tar', ['-czf', hidden, '-C', unpacked, 'package']);

    const installed = project('without-prebuild', hidden);
    const root = join(installed, '..', '..', '..');
    const { message } = run(root) as { message: string };
    expect(message).toContain('no addon loads for');
    for (const needed of ['python3', 'make', 'C++ compiler', 'npm rebuild @mempool/backend-native', 'npx node-gyp-build']) {
      expect(message).toContain(needed);
    }

    // What the message says to run: the package's install script (node-gyp-build) builds from source.
    const rebuild = spawnSync('npm', ['rebuild', '@mempool/backend-native', '--foreground-scripts'], { cwd: root, encoding: 'utf8' });
    expect(rebuild.status, rebuild.stderr).toBe(0);
    expect(existsSync(join(installed, 'build', 'Release', 'mempool_native.node'))).toBe(true);
    expect(run(root)).toEqual({ version: '0.1.0', handle: 64 });
  }, 120_000);
});
