import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';

/** Node, V8, CPU and compiler: what a reader needs to compare two runs. */
export function environment(): Record<string, string | number> {
  const cpus = os.cpus();
  const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  return {
    node: process.versions.node,
    v8: process.versions.v8,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    cpuMHz: cpus[0]?.speed ?? 0,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
    gcc: gcc.status === 0 ? gcc.stdout.split('\n')[0]!.trim() : 'gcc not found',
  };
}

/** Versions of the other packages the bench uses (the backends report theirs from their child). */
export function versions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const pkg of ['@thi.ng/malloc', 'tinybench', 'vega']) {
    try {
      out[pkg] = (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      // not installed or no exported package.json: left out
    }
  }
  return out;
}
