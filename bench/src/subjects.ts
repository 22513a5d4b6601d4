/** Every child process the bench starts, in the order it runs them. */
export interface SubjectSpec {
  /** `kind:name`, passed to the child. */
  readonly id: string;
  readonly title: string;
  /** Node flags for the child (the order book wants `--expose-gc` to start from a clean heap). */
  readonly nodeFlags?: readonly string[];
}

export const BACKENDS = ['js', 'wasm', 'native'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const SUBJECTS: readonly SubjectSpec[] = [
  { id: 'floor:loop', title: 'floor: empty loop' },
  { id: 'floor:wasm', title: 'floor: empty wasm call' },
  { id: 'floor:addon', title: 'floor: empty node-addon-api call' },
  { id: 'baseline:Uint8Array', title: 'baseline: new Uint8Array(64)' },
  { id: 'baseline:Buffer', title: 'baseline: Buffer.allocUnsafe(64)' },
  { id: 'baseline:object', title: 'baseline: object literal' },
  { id: 'baseline:MemPool', title: "baseline: @thi.ng/malloc's MemPool" },
  ...BACKENDS.map((b) => ({ id: `backend:${b}`, title: `backend ${b}: fixed pool and arena` })),
  ...BACKENDS.map((b) => ({ id: `fields:${b}`, title: `fields ${b}: layout accessors vs hand-written indexing` })),
  ...BACKENDS.map((b) => ({ id: `shared:${b}`, title: `backend ${b}: shared pool, 1 and 2 workers` })),
  { id: 'orderbook:objects', title: 'order book: plain objects in a Map', nodeFlags: ['--expose-gc'] },
  ...BACKENDS.map((b) => ({ id: `orderbook:${b}`, title: `order book: ${b} fixed pool`, nodeFlags: ['--expose-gc'] })),
];

/** The package a backend lives in. */
export const backendPackage = (b: BackendName): string => `@mempool/backend-${b}`;

/** Subject names as they appear in the table. */
export const FLOOR_SUBJECT = { loop: 'empty loop', wasm: 'wasm call', addon: 'addon call' } as const;
export const OBJECTS_SUBJECT = 'objects+Map';
