// @mempool/collections from its tarball: an id index over a pool's handles, and a queue that
// passes them to a worker and back.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createFixedPool } from '@mempool/backend-js';
import { attachHandleQueue, createHandleQueue, HandleMap } from '@mempool/collections';

if (isMainThread) {
  const pool = createFixedPool(16, 100);
  const byId = new HandleMap();
  for (let id = 1; id <= 100; id++) byId.set(id * 1_000_003, pool.alloc());
  if (byId.size !== 100 || byId.get(5_000_015) === 0 || byId.get(7) !== 0) throw new Error('HandleMap lookups are wrong');
  const there = createHandleQueue(128, { mode: 'spsc' });
  const back = createHandleQueue(128, { mode: 'spsc' });
  const worker = new Worker(new URL(import.meta.url), { workerData: { there: there.share(), back: back.share() } });
  byId.forEach((h) => there.push(h));
  there.close();
  let returned = 0;
  for (let h = await back.popAsync(); h !== 0; h = await back.popAsync()) {
    pool.free(h);
    returned++;
  }
  await new Promise((resolve) => worker.once('exit', resolve));
  if (returned !== 100 || pool.stats().allocated !== 0) throw new Error(`${returned} handles came back`);
  console.log('collections: 100 handles indexed, sent to a worker and back');
} else {
  const there = attachHandleQueue(workerData.there);
  const back = attachHandleQueue(workerData.back);
  for (let h = there.pop(); h !== 0; h = there.pop()) back.push(h);
  back.close();
  parentPort.close();
}
