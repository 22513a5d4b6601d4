import { ENGINE_FACTS } from '@mempool/api';

/** The C library's bookkeeping per pool slot (its free stack and live epochs). */
const BOOKKEEPING_BYTES_PER_SLOT = ENGINE_FACTS.bookkeepingBytesPerSlot;
/** The most that one pool's pressure buffer stands for (see `collectorPressure`). */
const MAX_PRESSURE_BYTES = 64 * 2 ** 20;
/** What a pool holds once destroyed, or when the pressure buffer was refused. */
export const NO_PRESSURE = new ArrayBuffer(0);

/**
 * Untouched V8-owned bytes standing for a pool's C bookkeeping, held as long as the pool is: every
 * engine counts an ArrayBuffer toward its next collection, while the addon's
 * `napi_adjust_external_memory` moves some engines not at all (Deno 2.9: a loop that drops pools
 * peaked at 5x the js backend's memory, 1.1x with this). Never written, though glibc may still zero
 * it by hand when it reuses freed heap memory for it. Capped at MAX_PRESSURE_BYTES (a huge pool is
 * not dropped in a loop), and best effort: a refusal leaves only the addon's report.
 */
export function collectorPressure(capacity: number): ArrayBuffer {
  try {
    return new ArrayBuffer(Math.min(capacity * BOOKKEEPING_BYTES_PER_SLOT, MAX_PRESSURE_BYTES));
  } catch {
    return NO_PRESSURE;
  }
}
