// A task scheduler: one worker allocates tasks in a shared pool and fills them, the queue hands
// their handles to the others, which run each task where it lies and free it. Nothing is copied
// or posted per task: a handle is four bytes in the queue.
// `node examples/scheduler.mjs [js|wasm] [tasks] [workers]`.
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { defineLayout, loadBackend } from '@mempool/api';
import { attachHandleQueue, createHandleQueue } from '@mempool/collections';

const Task = defineLayout({ kind: 'u32', n: 'u32', seed: 'f64', result: 'f64' }, { name: 'Task' });
const FIB = 0;
const SUM_OF_SQUARES = 1;

/** What a task computes: small, deterministic, and checkable by the main thread. */
function runTask(kind, n, seed) {
  if (kind === FIB) {
    let a = seed;
    let b = 1;
    for (let i = 0; i < n; i++) [a, b] = [b, (a + b) % 1_000_003];
    return a;
  }
  let s = 0;
  for (let i = 1; i <= n; i++) s = (s + ((i * seed) % 9_973) ** 2) % 1_000_003;
  return s;
}

function taskOf(i) {
  return { kind: i % 2 === 0 ? FIB : SUM_OF_SQUARES, n: 50 + (i % 200), seed: (i * 7919) % 1000 };
}

if (isMainThread) {
  const backendName = process.argv[2] ?? 'js';
  const TASKS = Number(process.argv[3] ?? 100_000);
  const RUNNERS = Number(process.argv[4] ?? 3);
  const backend = await loadBackend(backendName);
  // Tasks in flight stay below the queue's 256 plus one per runner and the producer's own: 512 slots never run out.
  const pool = backend.createFixedPool(Task.byteSize, 512, { align: Task.align, shared: true });
  const work = createHandleQueue(256, { mode: 'mpmc' });
  const results = new SharedArrayBuffer(8 * (RUNNERS + 1));
  const start = performance.now();
  const spawn = (role, id) =>
    new Promise((resolve, reject) => {
      const w = new Worker(new URL(import.meta.url), {
        workerData: { role, id, backendName, pool: pool.share(), work: work.share(), results, tasks: TASKS },
      });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const runners = Array.from({ length: RUNNERS }, (_, i) => spawn('runner', i));
  await spawn('producer', RUNNERS);
  work.close(); // runners drain what is left, then their pop returns 0
  const ran = await Promise.all(runners);
  const ms = performance.now() - start;

  let expected = 0;
  for (let i = 0; i < TASKS; i++) {
    const t = taskOf(i);
    expected = (expected + runTask(t.kind, t.n, t.seed)) % 1_000_003;
  }
  const sums = new Float64Array(results);
  let got = 0;
  for (let r = 0; r < RUNNERS; r++) got = (got + sums[r]) % 1_000_003;
  const done = ran.reduce((a, b) => a + b, 0);
  if (done !== TASKS) throw new Error(`${done} tasks ran, ${TASKS} were scheduled`);
  if (got !== expected) throw new Error(`results sum to ${got}, expected ${expected}`);
  if (pool.stats().allocated !== 0) throw new Error(`${pool.stats().allocated} tasks were never freed`);
  console.log(
    `scheduler on ${backend.name}: ${TASKS} tasks through ${RUNNERS} runners in ${ms.toFixed(0)} ms ` +
      `(${ran.join(' + ')}), results agree, every task freed`,
  );
  pool.destroy();
} else {
  const { role, id, backendName, results, tasks } = workerData;
  const backend = await loadBackend(backendName);
  const pool = backend.attachFixedPool(workerData.pool);
  const work = attachHandleQueue(workerData.work);
  const task = Task.view(pool.memory);
  const { parentPort } = await import('node:worker_threads');
  if (role === 'producer') {
    for (let i = 0; i < tasks; i++) {
      const h = pool.alloc();
      if (h === 0) throw new Error('task pool exhausted');
      const t = taskOf(i);
      task.kind.set(h, t.kind);
      task.n.set(h, t.n);
      task.seed.set(h, t.seed);
      if (!work.push(h)) throw new Error('work queue closed early');
    }
    parentPort.postMessage(tasks);
  } else {
    let ran = 0;
    let sum = 0;
    for (let h = work.pop(); h !== 0; h = work.pop()) {
      const r = runTask(task.kind.get(h), task.n.get(h), task.seed.get(h));
      task.result.set(h, r);
      sum = (sum + r) % 1_000_003;
      pool.free(h);
      ran++;
    }
    new Float64Array(results)[id] = sum;
    parentPort.postMessage(ran);
  }
}
