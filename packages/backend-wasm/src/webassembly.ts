/**
 * The little of the WebAssembly JavaScript API this package uses. TypeScript declares the API only
 * in lib.dom, which a package for Node and browsers alike should not make its users pull in.
 */
export interface WasmMemory {
  /** The same `ArrayBuffer` until the memory grows; growing, even by 0 pages, detaches it. */
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

export interface WasmModule {
  readonly __wasmModule: never;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: object };
  /** With `shared: true`, `buffer` is a `SharedArrayBuffer` (and `maximum` is required). */
  Memory: new (descriptor: {
    initial: number;
    maximum: number;
    shared?: boolean;
  }) => WasmMemory;
}

export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
