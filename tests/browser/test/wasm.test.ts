import { registerConformanceSuite } from '@mempool/conformance';
import { BROWSER_GROUPS } from './groups.js';

registerConformanceSuite(await import('@mempool/backend-wasm'), { groups: BROWSER_GROUPS });
