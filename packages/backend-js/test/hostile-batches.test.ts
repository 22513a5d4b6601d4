import { describe } from 'vitest';
import { backend } from '@mempool/backend-js';
import { hostileBatchCases } from './shared/hostile-batches.js';

describe('js: hostile batches and unbound methods', () => hostileBatchCases(backend));
