import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { blackhole, type Case } from '../measure.js';
import { N } from './pool.js';

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

export type FloorName = 'loop' | 'wasm' | 'addon';
export const FLOORS: readonly FloorName[] = ['loop', 'wasm', 'addon'];

/**
 * A hand-written wasm module exporting `noop: () -> ()` (the smallest valid body), so the floor does
 * not depend on any toolchain.
 */
export const NOOP_WASM = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version 1
  0x01,
  0x04,
  0x01,
  0x60,
  0x00,
  0x00, // type section: one type, () -> ()
  0x03,
  0x02,
  0x01,
  0x00, // function section: one function of type 0
  0x07,
  0x08,
  0x01,
  0x04,
  0x6e,
  0x6f,
  0x6f,
  0x70,
  0x00,
  0x00, // export "noop" = func 0
  0x0a,
  0x04,
  0x01,
  0x02,
  0x00,
  0x0b, // code section: one body, no locals, end
]);

/** Where `npm run build:floor` leaves the empty node-addon-api addon. */
export const ADDON_PATH = fileURLToPath(new URL('../../addon/build/Release/floor.node', import.meta.url));

/** The cost no backend can go under: the loop itself, one call into wasm, one call into an addon. */
export function floorCases(name: FloorName): Case[] {
  if (name === 'loop') {
    return [
      {
        scenario: 'floor.call',
        unit: 'loop iteration (counter + add)',
        ops: N,
        fn: () => {
          let acc = 0;
          for (let i = 0; i < N; i++) acc += i;
          blackhole.value = acc;
        },
      },
    ];
  }
  if (name === 'wasm') {
    // @types/node does not declare the WebAssembly global; this is the part used here.
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const noop = new wasm.Instance(new wasm.Module(NOOP_WASM)).exports['noop'] as () => void;
    return [
      {
        scenario: 'floor.call',
        unit: 'call of an empty exported wasm function',
        ops: N,
        fn: () => {
          for (let i = 0; i < N; i++) noop();
        },
      },
    ];
  }
  if (!existsSync(ADDON_PATH)) {
    throw new Error(`the empty addon is not built (${ADDON_PATH}); run \`npm run build:floor -w @mempool/bench\``);
  }
  const addon = createRequire(import.meta.url)(ADDON_PATH) as { noop: () => void; rawNoop?: () => void };
  const noop = addon.noop;
  const rawNoop = addon.rawNoop;
  return [
    ...(rawNoop
      ? [
          {
            scenario: 'floor.call',
            subject: 'raw N-API call',
            unit: 'call of an empty raw N-API (C callback) function',
            ops: N,
            fn: () => {
              for (let i = 0; i < N; i++) rawNoop();
            },
          },
        ]
      : []),
    {
      scenario: 'floor.call',
      unit: 'call of an empty node-addon-api function',
      ops: N,
      fn: () => {
        for (let i = 0; i < N; i++) noop();
      },
    },
  ];
}
