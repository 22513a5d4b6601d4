import { registerConformanceSuite } from '@mempool/conformance';
import { BROWSER_GROUPS } from './groups.js';

// The wasm backend's shared allocators are not run here: Chromium keeps the address-space
// reservation of every shared WebAssembly.Memory until the page collects it, and shared backing
// stores are collected late, so the suite's hundreds of short-lived shared pools end in
// `WebAssembly.Memory(): could not allocate memory` (see packages/backend-wasm/README.md). They run
// in Node, on every runtime of the matrix; js's shared allocators run here too.
registerConformanceSuite(await import('@mempool/backend-wasm'), { groups: BROWSER_GROUPS, shared: false });
