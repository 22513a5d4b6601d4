// Message buffers: a producer worker fills fixed-size messages in a shared pool and passes each
// by handle through an SPSC queue; the main thread awaits them (popAsync: it never blocks), reads
// each in place through views made once (zero-copy: no message is ever copied or cloned) and
// frees it back to the pool the producer allocates from.
// `node examples/message-buffers.mjs [js|wasm] [messages]`.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadBackend } from '@mempool/api';
import { attachHandleQueue, createHandleQueue } from '@mempool/collections';

/** 256-byte messages: u32 sequence, u32 length, u32 checksum, then up to 244 payload bytes. */
const SIZE = 256;
const HEADER = 12;

if (isMainThread) {
  const backendName = process.argv[2] ?? 'js';
  const MESSAGES = Number(process.argv[3] ?? 200_000);
  const backend = await loadBackend(backendName);
  const pool = backend.createFixedPool(SIZE, 1024, { align: 16, shared: true });
  const queue = createHandleQueue(512, { mode: 'spsc' });
  const producer = new Worker(new URL(import.meta.url), {
    workerData: { backendName, pool: pool.share(), queue: queue.share(), messages: MESSAGES },
  });
  const produced = new Promise((resolve, reject) => {
    producer.once('message', resolve);
    producer.once('error', reject);
  });
  const u32 = new Uint32Array(pool.memory);
  const bytes = new Uint8Array(pool.memory);
  const start = performance.now();
  let expectSeq = 0;
  let payloadBytes = 0;
  /** Reads one message where it lies, checks it, and gives its slot back. */
  const consume = (h) => {
    const seq = u32[h / 4];
    const length = u32[h / 4 + 1];
    if (seq !== expectSeq) throw new Error(`message ${seq} arrived, ${expectSeq} expected`);
    let sum = 0;
    for (let i = 0; i < length; i++) sum = (sum * 31 + bytes[h + HEADER + i]) >>> 0;
    if (sum !== u32[h / 4 + 2]) throw new Error(`message ${seq} is corrupt`);
    payloadBytes += length;
    pool.free(h);
    expectSeq++;
  };
  for (let h = await queue.popAsync(); h !== 0; h = await queue.popAsync()) {
    consume(h);
    // Take what is already there without a promise per message.
    for (let more = queue.tryPop(); more !== 0; more = queue.tryPop()) consume(more);
  }
  await produced;
  const ms = performance.now() - start;
  if (expectSeq !== MESSAGES) throw new Error(`${expectSeq} of ${MESSAGES} messages arrived`);
  if (pool.stats().allocated !== 0) throw new Error('messages were not all freed');
  console.log(
    `message buffers on ${backend.name}: ${MESSAGES} messages (${(payloadBytes / 1e6).toFixed(1)} MB) in order, ` +
      `${ms.toFixed(0)} ms, ${((MESSAGES / ms) * 1000).toFixed(0)} messages/s, none copied`,
  );
  pool.destroy();
} else {
  const { backendName, messages } = workerData;
  const backend = await loadBackend(backendName);
  const pool = backend.attachFixedPool(workerData.pool);
  const queue = attachHandleQueue(workerData.queue);
  const u32 = new Uint32Array(pool.memory);
  const bytes = new Uint8Array(pool.memory);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (let seq = 0; seq < messages; seq++) {
    let h = pool.alloc();
    // The consumer is behind and holds every slot: wait for it to free one.
    while (h === 0) {
      Atomics.wait(nap, 0, 0, 1);
      h = pool.alloc();
    }
    const length = 1 + ((seq * 7) % (SIZE - HEADER));
    let sum = 0;
    for (let i = 0; i < length; i++) {
      const b = (seq + i * 13) & 0xff;
      bytes[h + HEADER + i] = b;
      sum = (sum * 31 + b) >>> 0;
    }
    u32[h / 4] = seq;
    u32[h / 4 + 1] = length;
    u32[h / 4 + 2] = sum;
    if (!queue.push(h)) throw new Error('queue closed early');
  }
  queue.close(); // the consumer drains, then popAsync resolves with 0
  parentPort.postMessage(messages);
}
