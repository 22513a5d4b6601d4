import { MARK_GENERATIONS, MARK_OFFSET_SPAN } from './constants.js';

/**
 * A mark is `generation * 2^33 + offset`: `offset` is the arena's `stats().offset` when it was
 * taken and `generation` counts resets modulo 2^20. Every backend encodes marks this way, so marks
 * are deterministic; a mark from exactly a multiple of 2^20 resets ago cannot be told from a fresh
 * one.
 */
export function encodeMark(generation: number, offset: number): number {
  return (generation % MARK_GENERATIONS) * MARK_OFFSET_SPAN + offset;
}

/** The generation a mark was taken in (modulo 2^20). */
export function markGeneration(mark: number): number {
  return Math.floor(mark / MARK_OFFSET_SPAN);
}

/** The data-region offset a mark points at. */
export function markOffset(mark: number): number {
  return mark % MARK_OFFSET_SPAN;
}

/**
 * The offset `rewind(mark)` goes back to, in an arena at reset `generation` whose data region is
 * used up to `current` bytes; -1 when `mark` is not a mark of that generation at or before
 * `current` (not a number, NaN, fractional, negative, stale, or past the end).
 */
export function rewindOffset(mark: unknown, generation: number, current: number): number {
  if (typeof mark !== 'number') return -1;
  // Offsets stay below 2^33, so a mark of another generation lands outside [0, current] here; the
  // subtraction is exact because marks are below 2^53.
  const offset = mark - encodeMark(generation, 0);
  return offset >= 0 && offset <= current && Number.isInteger(offset) ? offset : -1;
}
