import { packageBinding } from './binding.js';

/**
 * The absolute address of an allocator's `memory` (its first byte), for checking
 * `supports.absoluteAlignment` (the conformance suite's `addressOf` option): JavaScript cannot see
 * addresses. It reads an address and nothing else; the package's binding stays private.
 */
export function addressOf(memory: ArrayBuffer): number {
  const address = packageBinding().addressOf(memory);
  if (address === undefined) throw new TypeError('addressOf: memory must be an attached ArrayBuffer');
  return address;
}
