import { invalidRange, type Backend } from '@mempool/api';
import type { SuiteContext } from './context.js';
import { NOT_RUN_MARK } from './summary-prefix.js';
import { CONFORMANCE_GROUPS, type ConformanceGroup } from './options.js';
import { arenaRows } from './table/arena.js';
import { errorAndVersionRows } from './table/errors-and-version.js';
import { fixedPoolRows } from './table/fixed-pool.js';
import { absoluteAlignment } from './contract/absolute-alignment.js';
import { batchesAndMarks } from './contract/batches-and-marks.js';
import { BIG_MEMORY_BYTES, bigMemory } from './contract/big-memory.js';
import { detachBlocker, detachedMemory } from './contract/detached-memory.js';
import { determinism } from './contract/determinism.js';
import { errorMatrix } from './contract/error-matrix.js';
import { gcReclaim } from './contract/gc-reclaim.js';
import { hostileBatches } from './contract/hostile-batches.js';
import { layouts } from './contract/layouts.js';
import { lifetime } from './contract/lifetime.js';
import { modelRuns } from './contract/model-runs.js';
import { sharedHolders } from './shared-allocators/shared-holders.js';
import { garbageCollector, residentBytes, totalMemoryBytes } from './platform.js';

/**
 * One group of cases. A group whose capability the backend does not declare is not registered at
 * all (the abstract-suite pattern: switched by `supports`, never by backend name). A group the
 * backend declares but this platform cannot check is announced as not run, with the reason, and
 * the summary line names it, so the run never looks greener than it is.
 */
interface Group {
  /** Its name where it is announced as not run. */
  readonly title: string;
  readonly declared?: (backend: Backend) => boolean;
  /** Why the platform cannot run the group, or `undefined` when it can. */
  readonly blocker?: (context: Pick<SuiteContext, 'backend' | 'options'>) => string | undefined;
  readonly register: (context: SuiteContext) => void;
}

const GIB = 2 ** 30;

/**
 * Every group, by name. A new group (shared allocators when `supports.shared`, struct layouts)
 * goes here and in `CONFORMANCE_GROUPS`, with the capability that switches it on.
 */
const GROUPS: Record<ConformanceGroup, Group> = {
  testTable: {
    title: 'Test table',
    register(context) {
      fixedPoolRows(context);
      arenaRows(context);
      errorAndVersionRows(context);
    },
  },
  errorMatrix: { title: 'Error matrix', register: errorMatrix },
  determinism: { title: 'Determinism', register: determinism },
  batchesAndMarks: { title: 'Batches', register: batchesAndMarks },
  lifetime: { title: 'Destroy and dispose', register: lifetime },
  gcReclaim: {
    title: 'Reclaim by the garbage collector',
    declared: (backend) => backend.supports.gcReclaim,
    blocker: () =>
      garbageCollector() === undefined || residentBytes() === undefined
        ? 'this platform offers no way to run the garbage collector and read the resident memory (Node does)'
        : undefined,
    register: gcReclaim,
  },
  bigMemory: {
    title: 'Big memory',
    declared: (backend) => backend.supports.maxMemoryBytes >= BIG_MEMORY_BYTES,
    blocker() {
      const total = totalMemoryBytes();
      if (total === undefined) return 'the machine memory cannot be read on this platform';
      return total < BIG_MEMORY_BYTES
        ? `needs ${(BIG_MEMORY_BYTES / GIB).toFixed(1)} GiB of memory, the machine has ${(total / GIB).toFixed(1)} GiB`
        : undefined;
    },
    register: bigMemory,
  },
  absoluteAlignment: {
    title: 'Absolute alignment',
    declared: (backend) => backend.supports.absoluteAlignment > 0,
    blocker: ({ backend, options }) =>
      options.addressOf === undefined
        ? `the backend declares supports.absoluteAlignment ${backend.supports.absoluteAlignment}, and no options.addressOf probe was given to check it`
        : undefined,
    register: absoluteAlignment,
  },
  layouts: { title: 'Struct layouts', register: layouts },
  modelRuns: { title: 'Model-based random runs', register: modelRuns },
  // Registered on every backend: without `supports.shared` it checks that each way in is refused.
  sharedHolders: { title: 'Shared allocators', register: sharedHolders },
  hostileBatches: { title: 'Hostile batches and unbound methods', register: hostileBatches },
  detachedMemory: { title: 'Memory detached by other code', blocker: detachBlocker, register: detachedMemory },
};

/** What happens to one group for one backend on this platform. */
export type GroupPlan =
  | { readonly group: ConformanceGroup; readonly state: 'run' }
  | { readonly group: ConformanceGroup; readonly state: 'not declared' }
  | { readonly group: ConformanceGroup; readonly state: 'not run'; readonly reason: string };

/**
 * The selected groups in order, each to run, left out because the backend does not declare its
 * capability, or not run (with the reason) because this platform cannot check it. Unknown group
 * names are refused with `ERR_MEMPOOL_INVALID_ARGUMENT`.
 */
export function planGroups(context: Pick<SuiteContext, 'backend' | 'options'>): GroupPlan[] {
  const selected = context.options.groups ?? CONFORMANCE_GROUPS;
  for (const name of selected) {
    if (!CONFORMANCE_GROUPS.includes(name)) throw invalidRange('each of groups', `one of ${CONFORMANCE_GROUPS.join(', ')}`, name);
  }
  return CONFORMANCE_GROUPS.filter((group) => selected.includes(group)).map((group): GroupPlan => {
    const { declared, blocker } = GROUPS[group];
    if (declared !== undefined && !declared(context.backend)) return { group, state: 'not declared' };
    const reason = blocker?.(context);
    return reason === undefined ? { group, state: 'run' } : { group, state: 'not run', reason };
  });
}

/**
 * Registers the planned groups of the suite named `suite`. A group this platform cannot check
 * registers no case: it is announced with `NOT_RUN_MARK` and the reason, and the summary line lists it.
 */
export function registerGroups(context: SuiteContext, suite: string): void {
  for (const plan of planGroups(context)) {
    if (plan.state === 'run') GROUPS[plan.group].register(context);
    else if (plan.state === 'not run') console.warn(`${NOT_RUN_MARK}${suite} > ${GROUPS[plan.group].title}: ${plan.reason}`);
  }
}
