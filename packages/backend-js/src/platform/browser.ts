// The side of `#platform` for browsers and every other JavaScript platform (package.json
// `imports`, conditions "browser" and "default"): they cannot refuse a transfer of `memory`, so the
// allocators detect a detached `memory` and throw ERR_MEMPOOL_DETACHED instead.

/** Nothing to do: no browser API marks a buffer untransferable. */
export function keepAttached(_buffer: ArrayBuffer): void {}

/** No bound known beyond the engine's own refusal, which `reserveMemory` reports. */
export function reservableBytes(): number {
  return Number.POSITIVE_INFINITY;
}
