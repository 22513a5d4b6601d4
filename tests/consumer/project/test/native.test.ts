import { registerConformanceSuite } from '@mempool/conformance';

const native = await import('@mempool/backend-native');
// The package's address probe gives the addresses that supports.absoluteAlignment promises.
const { addressOf } = await import('@mempool/backend-native/address-of');
registerConformanceSuite(native, { addressOf });
