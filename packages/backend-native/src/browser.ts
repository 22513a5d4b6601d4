// What a bundler resolves for a browser (the "browser" condition of package.json's exports): the
// native backend is a C addon and cannot run there. Importing it fails with this coded error, so
// `loadBackend('auto')` passes over it with the reason and a bundle of `@mempool/api` (whose
// `loadBackend` names every backend) builds with no shims.
import { runtimeName, unavailable } from '@mempool/api';

throw unavailable(
  'native',
  runtimeName(),
  'it is a C addon and runs only where there is Node-API (Node, Bun, Deno): in a browser, use @mempool/backend-js or @mempool/backend-wasm',
);
