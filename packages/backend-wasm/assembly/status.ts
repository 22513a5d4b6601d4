/**
 * The statuses every engine returns, with the values of `Status` in `@mempool/api` and of the C
 * header's `MP_OK`/`MP_ERR_*`.
 */
export const OK: i32 = 0;
export const INVALID_ARGUMENT: i32 = -2;
export const INVALID_HANDLE: i32 = -3;
export const DOUBLE_FREE: i32 = -4;
/**
 * Not in the contract: the pool's bookkeeping (kept in `memory` after the data region) was
 * overwritten from outside. The engine refuses rather than trap or write out of bounds.
 */
export const CORRUPTED: i32 = -6;
