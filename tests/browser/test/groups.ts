import type { ConformanceGroup } from '@mempool/conformance';

/** Every group that needs no Node API: the GC and big-memory groups read the process's memory. */
export const BROWSER_GROUPS: readonly ConformanceGroup[] = [
  'testTable',
  'errorMatrix',
  'determinism',
  'batchesAndMarks',
  'lifetime',
  'modelRuns',
];
