// Writes reference-trace.json from the js backend (after `npm run build`). Run it only when the
// contract itself changes: the trace is what every backend must reproduce, so a diff here is a
// behaviour change to review.
import { writeFileSync } from 'node:fs';
import { backend } from '@mempool/backend-js';
import { recordTrace } from '../dist/contract/reference-trace.js';

writeFileSync(new URL('../src/contract/reference-trace.json', import.meta.url), `${JSON.stringify(recordTrace(backend))}\n`);
