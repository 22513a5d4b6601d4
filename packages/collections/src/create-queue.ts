import { checkInteger, invalidRange, invalidType, NO_SHARED_MEMORY, SHARED_MEMORY_AVAILABLE } from '@mempool/api';
import type { HandleQueue } from './handle-queue.js';
import { initQueueWords } from './handle-queue.js';
import { MpmcHandleQueue } from './mpmc-queue.js';
import { SpscHandleQueue } from './spsc-queue.js';
import {
  MAGIC,
  MAX_QUEUE_CAPACITY,
  MODE_MPMC,
  MODE_SPSC,
  QUEUE_FORMAT,
  queueBytes,
  W_CAPACITY,
  W_CELLS,
  W_FORMAT,
  W_MAGIC,
  W_MODE,
  type QueueMode,
} from './queue-layout.js';

export interface HandleQueueOptions {
  /** `'mpmc'` (the default): any number of producers and consumers; `'spsc'`: one of each, faster. */
  readonly mode?: QueueMode;
}

const modeWord = (mode: QueueMode): number => (mode === 'spsc' ? MODE_SPSC : MODE_MPMC);

function checkMode(name: string, value: unknown): QueueMode {
  if (value === 'spsc' || value === 'mpmc') return value;
  throw invalidType(name, '"spsc" or "mpmc"', value);
}

function makeQueue(memory: SharedArrayBuffer, mode: QueueMode, capacity: number): HandleQueue {
  return mode === 'spsc' ? new SpscHandleQueue(memory, capacity) : new MpmcHandleQueue(memory, capacity);
}

/**
 * A queue of up to `capacity` handles (rounded up to a power of two from 2, at most 2^26) in a new
 * `SharedArrayBuffer`; `share()` it to workers, which `attachHandleQueue()` it.
 */
export function createHandleQueue(capacity: number, options?: HandleQueueOptions): HandleQueue {
  // At least 2 cells: with one, Vyukov's sequence numbers cannot tell a full cell from a free one.
  const cells = Math.max(2, 2 ** Math.ceil(Math.log2(checkInteger('capacity', capacity, 1, MAX_QUEUE_CAPACITY))));
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw invalidType('options', 'an object or undefined', options);
  const mode = checkMode('options.mode', options?.mode ?? 'mpmc');
  if (!SHARED_MEMORY_AVAILABLE)
    throw invalidRange('createHandleQueue()', `called where SharedArrayBuffer exists (${NO_SHARED_MEMORY})`, 'none');
  const memory = new SharedArrayBuffer(queueBytes(modeWord(mode), cells));
  const words = new Int32Array(memory);
  initQueueWords(words, modeWord(mode), cells);
  // A free MPMC cell's sequence number is the position that may claim it.
  if (mode === 'mpmc') for (let i = 0; i < cells; i++) words[W_CELLS + 2 * i] = i;
  return makeQueue(memory, mode, cells);
}

/**
 * The queue another thread `share()`d. Nothing in the descriptor is trusted: its kind, format,
 * mode and capacity are checked, the buffer must be a `SharedArrayBuffer` of exactly the size they
 * give, and the buffer's own header must say the same, so a descriptor edited in transit or
 * pointing at another buffer is refused rather than read out of bounds.
 */
export function attachHandleQueue(descriptor: unknown): HandleQueue {
  if (typeof descriptor !== 'object' || descriptor === null || Array.isArray(descriptor))
    throw invalidType('descriptor', 'a HandleQueue descriptor from share()', descriptor);
  const d = descriptor as Partial<Record<string, unknown>>;
  if (d['kind'] !== 'HandleQueue') throw invalidType('descriptor.kind', '"HandleQueue"', d['kind']);
  if (d['format'] !== QUEUE_FORMAT)
    throw invalidRange('descriptor.format', `${QUEUE_FORMAT} (made by another version of @mempool/collections)`, d['format']);
  const mode = checkMode('descriptor.mode', d['mode']);
  const capacity = checkInteger('descriptor.capacity', d['capacity'], 2, MAX_QUEUE_CAPACITY);
  if ((capacity & (capacity - 1)) !== 0) throw invalidRange('descriptor.capacity', 'a power of two', capacity);
  const memory = d['memory'];
  if (typeof SharedArrayBuffer === 'undefined' || !(memory instanceof SharedArrayBuffer))
    throw invalidType('descriptor.memory', 'a SharedArrayBuffer', memory);
  const bytes = queueBytes(modeWord(mode), capacity);
  if (memory.byteLength !== bytes)
    throw invalidRange('descriptor.memory.byteLength', `${bytes} for this mode and capacity`, memory.byteLength);
  const words = new Int32Array(memory);
  if (words[W_MAGIC] !== MAGIC || words[W_FORMAT] !== QUEUE_FORMAT)
    throw invalidRange('descriptor.memory', "a HandleQueue's buffer (its header does not say so)", 'another buffer');
  if (words[W_MODE] !== modeWord(mode) || words[W_CAPACITY] !== capacity)
    throw invalidRange(
      'descriptor',
      `the mode and capacity its buffer records (${words[W_MODE] === MODE_SPSC ? 'spsc' : 'mpmc'}, ${words[W_CAPACITY]})`,
      `${mode}, ${capacity}`,
    );
  return makeQueue(memory, mode, capacity);
}
