// For editors only (asc never reads this file): the constants scripts/build-wasm.mjs passes with
// `--use MP_VERSION_MAJOR=0 ...`.
declare const MP_VERSION_MAJOR: u32;
declare const MP_VERSION_MINOR: u32;
declare const MP_VERSION_PATCH: u32;
