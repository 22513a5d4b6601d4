import { registerConformanceSuite } from '../src/index.js';

const native = await import('@mempool/backend-native');
// The addon's test hook gives the addresses that supports.absoluteAlignment promises.
registerConformanceSuite(native, { addressOf: native.backend.binding.addressOf });
