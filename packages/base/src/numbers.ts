import { DEFAULT_ALIGN, MAX_ALIGN } from './constants.js';
import { invalidRange, invalidType } from './errors.js';

/** An integer in `[min, max]`, or the contract's error naming `name`. */
export function checkInteger(name: string, value: unknown, min: number, max: number, rule?: string): number {
  if (typeof value !== 'number') throw invalidType(name, 'a number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidRange(name, rule ?? `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** Whether `value` is a power of two from 1 to 4096 (a test that runs no user code, for hot paths). */
export function isAlign(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ALIGN && (value & (value - 1)) === 0;
}

/** A power of two from 1 to 4096 (`undefined` means the default, 8). */
export function checkAlign(name: string, value: unknown): number {
  if (value === undefined) return DEFAULT_ALIGN;
  if (isAlign(value)) return value;
  if (typeof value !== 'number') throw invalidType(name, 'a number', value);
  throw invalidRange(name, `a power of two from 1 to ${MAX_ALIGN}`, value);
}
