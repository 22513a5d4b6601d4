// What a bundler resolves for a browser (the "browser" condition of package.json's exports): the
// native backend is a C addon and cannot run there. Importing it fails with this message, so
// `loadBackend('auto')` passes over it with the reason and a bundle of `@mempool/api` (whose
// `loadBackend` names every backend) builds with no shims.
throw new Error(
  '@mempool/backend-native runs only in Node.js (it is a C addon): in a browser, use @mempool/backend-js or @mempool/backend-wasm',
);
