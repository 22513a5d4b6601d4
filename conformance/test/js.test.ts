import { registerConformanceSuite } from '../src/index.js';

registerConformanceSuite(await import('@mempool/backend-js'));
