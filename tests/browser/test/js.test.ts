import { registerConformanceSuite } from '@mempool/conformance';
import { BROWSER_GROUPS } from './groups.js';

registerConformanceSuite(await import('@mempool/backend-js'), { groups: BROWSER_GROUPS });
