// Run by the matrix under a runtime that is denied Node-API (Deno without --allow-ffi): the native
// backend must refuse with ERR_MEMPOOL_UNAVAILABLE naming the runtime and why, and 'auto' must
// still load a backend. Prints the refusal as JSON; exits 1 if either promise is broken.
import { loadBackend, runtimeName, selectBackend } from '@mempool/api';

let refusal;
try {
  await loadBackend('native');
} catch (error) {
  refusal = { code: error.code, message: String(error.message).split('\n')[0] };
}
const auto = await selectBackend('auto');
console.log(JSON.stringify({ refusal, auto: auto.backend.name }));
const named = refusal?.message.startsWith(`@mempool/backend-native does not load on ${runtimeName()}: `);
process.exitCode = refusal?.code === 'ERR_MEMPOOL_UNAVAILABLE' && named ? 0 : 1;
