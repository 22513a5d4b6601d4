import { registerConformanceSuite } from '@mempool/conformance';

registerConformanceSuite(await import('@mempool/backend-js'));
