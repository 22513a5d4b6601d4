import { registerConformanceSuite } from '../src/index.js';

// The wasm backend over its debug engine, which asserts the allocators' invariants after every call.
registerConformanceSuite(await import('@mempool/backend-wasm/debug'));
