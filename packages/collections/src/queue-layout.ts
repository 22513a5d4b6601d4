/**
 * The words of a handle queue's `SharedArrayBuffer` (as an `Int32Array`). Line 0 holds what is
 * fixed at creation and what only blocking calls and `close()` write; the head (consumers) and the
 * tail (producers) have a 64-byte line each, so the two sides do not invalidate each other's line
 * on every call; the cells follow.
 */
export const W_MAGIC = 0;
export const W_FORMAT = 1;
export const W_MODE = 2;
export const W_CAPACITY = 3;
export const W_CLOSED = 4;
/** 1 while a popper may be asleep: the next push lowers it, bumps `W_PUSHED` and notifies. */
export const W_POP_WAITERS = 5;
/** 1 while a pusher may be asleep, as `W_POP_WAITERS`. */
export const W_PUSH_WAITERS = 6;
/** The word blocked poppers wait on. */
export const W_PUSHED = 7;
/** The word blocked pushers wait on. */
export const W_POPPED = 8;
export const W_HEAD = 16;
export const W_TAIL = 32;
export const W_CELLS = 48;

/** "HQue": a buffer that is not a queue's fails `attach` on its first word. */
export const MAGIC = 0x4851_7565;
/** The layout's version: a descriptor from another version is refused. */
export const QUEUE_FORMAT = 1;
export const MODE_SPSC = 1;
export const MODE_MPMC = 2;
export type QueueMode = 'spsc' | 'mpmc';

/** The largest capacity: 2^26 cells keep positions' 32-bit differences exact. */
export const MAX_QUEUE_CAPACITY = 2 ** 26;

/** Int32 words per cell: the handle (SPSC), or a sequence number and the handle (MPMC). */
export const wordsPerCell = (mode: number): number => (mode === MODE_SPSC ? 1 : 2);

/** The buffer's exact size for a mode and a power-of-two capacity. */
export const queueBytes = (mode: number, capacity: number): number => (W_CELLS + capacity * wordsPerCell(mode)) * 4;
