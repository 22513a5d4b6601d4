// Run by the matrix under each runtime: prints, as one JSON line, what this runtime is and what it
// can do, each found by trying it: which backends load (and why not), whether `destroy()` can
// detach and memory can be kept untransferable, and whether `worker.terminate()` stops a worker
// that is busy in synchronous code.
import { Worker } from 'node:worker_threads';
import { DETACH_ON_DESTROY, markThatKeepsDetach, runtimeName } from '@mempool/api';

const backends = {};
for (const name of ['js', 'wasm', 'native']) {
  try {
    const { backend } = await import(`@mempool/backend-${name}`);
    const pool = backend.createFixedPool(8, 4);
    const view = new Uint8Array(pool.memory);
    pool.destroy();
    backends[name] = {
      loads: true,
      shared: backend.supports.shared,
      detachOnDestroy: backend.supports.detachOnDestroy,
      detached: view.length === 0,
    };
  } catch (error) {
    backends[name] = { loads: false, code: error?.code, reason: String(error?.message ?? error).split('\n')[0] };
  }
}

/** A worker spinning on a shared counter, terminated: does the counter stop? */
async function terminateStopsBusyWorker() {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const source = `const { workerData } = require('node:worker_threads'); const c = new Int32Array(workerData); for (;;) Atomics.add(c, 0, 1);`;
  const worker = new Worker(source, { eval: true, workerData: counter.buffer });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  while (Atomics.load(counter, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  await Promise.all([worker.terminate(), exited]);
  const before = Atomics.load(counter, 0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  return Atomics.load(counter, 0) === before;
}

const { markAsUntransferable } = await import('node:worker_threads');
console.log(
  JSON.stringify({
    runtime: runtimeName(),
    napi: process.versions.napi ?? null,
    detachOnDestroy: DETACH_ON_DESTROY,
    refusesTransfer: markThatKeepsDetach(markAsUntransferable) !== undefined,
    terminateStopsBusyWorker: await terminateStopsBusyWorker(),
    backends,
  }),
);
// A worker that terminate() could not stop must not keep this process alive.
process.exit(0);
