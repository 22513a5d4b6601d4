import { expect } from 'vitest';
import type { Allocator, Arena, ErrorCode, FixedPool } from '@mempool/api';

type ErrorClass = typeof Error | typeof TypeError | typeof RangeError;

/**
 * Runs `act` and asserts it throws exactly `errorClass` (a built-in, not a subclass of another
 * one) with `code`, and a message naming `argument` when one is given.
 */
export function expectError(act: () => unknown, errorClass: ErrorClass, code: ErrorCode, argument?: string): Error {
  let thrown: unknown;
  try {
    act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a throw').toBeInstanceOf(errorClass);
  const error = thrown as Error & { code?: unknown };
  expect(Object.getPrototypeOf(error)).toBe(errorClass.prototype);
  expect(error.code).toBe(code);
  if (argument !== undefined) expect(error.message).toContain(argument);
  return error;
}

/** A byte pattern that differs between allocations, so an overlap or a stray write shows. */
export function patternByte(tag: number, index: number): number {
  return (tag * 31 + index * 7 + 1) & 0xff;
}

export function fill(memory: ArrayBuffer, handle: number, size: number, tag: number): void {
  const bytes = new Uint8Array(memory, handle, size);
  for (let i = 0; i < size; i++) bytes[i] = patternByte(tag, i);
}

/** The index of the first byte that lost its pattern, or -1 when all are intact. */
export function firstDamagedByte(memory: ArrayBuffer, handle: number, size: number, tag: number): number {
  const bytes = new Uint8Array(memory, handle, size);
  for (let i = 0; i < size; i++) if (bytes[i] !== patternByte(tag, i)) return i;
  return -1;
}

export function expectFilled(memory: ArrayBuffer, handle: number, size: number, tag: number): void {
  expect(firstDamagedByte(memory, handle, size, tag), `allocation ${handle} damaged`).toBe(-1);
}

/**
 * Everything observable about an allocator, to compare before and after a refused call: its stats
 * and a copy of every byte of its memory (the bookkeeping too, where a backend keeps it there).
 */
export interface Snapshot {
  readonly stats: unknown;
  readonly bytes: Uint8Array;
}

export function snapshot(allocator: FixedPool | Arena): Snapshot {
  return { stats: allocator.stats(), bytes: new Uint8Array(allocator.memory).slice() };
}

/** Asserts the allocator's stats and every byte of its memory are as `before` recorded them. */
export function expectUnchanged(allocator: FixedPool | Arena, before: Snapshot, label: string): void {
  expect(allocator.stats(), `${label} stats`).toEqual(before.stats);
  const now = new Uint8Array(allocator.memory);
  expect(now.length, `${label} memory length`).toBe(before.bytes.length);
  const changed = now.findIndex((byte, i) => byte !== before.bytes[i]);
  expect(changed, `${label} memory: first changed byte`).toBe(-1);
}

/** Destroys whatever a test created, even when the test failed half way. */
export class Scope {
  readonly #owned: Allocator[] = [];
  add<T extends Allocator>(allocator: T): T {
    this.#owned.push(allocator);
    return allocator;
  }
  destroyAll(): void {
    for (const allocator of this.#owned.splice(0)) allocator.destroy();
  }
}
