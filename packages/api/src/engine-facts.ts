import { DEFAULT_ALIGN, HEADER_BYTES, MARK_GENERATIONS, MARK_OFFSET_SPAN, MAX_ALIGN, MAX_CAPACITY } from './constants.js';
import { ARENA_STATS_FIELDS, FIXED_POOL_STATS_FIELDS } from './stats.js';
import { Status } from './status.js';

/**
 * The facts every engine must agree on, in one table: `scripts/engine-files.mjs` renders the
 * AssemblyScript constants, the C header's `#define`s and the addon's constants from it, and a
 * test fails by name when a committed rendering differs. Change a fact here, then run
 * `npm run generate`.
 */
export const ENGINE_FACTS = {
  headerBytes: HEADER_BYTES,
  defaultAlign: DEFAULT_ALIGN,
  maxAlign: MAX_ALIGN,
  maxCapacity: MAX_CAPACITY,
  /**
   * Bytes of bookkeeping a plain fixed pool keeps per slot, outside `memory`: a free-stack entry
   * and a live epoch, one u32 each. Every engine sizes (and reports) its pool's bookkeeping with it.
   */
  bookkeepingBytesPerSlot: 8,
  markOffsetBits: Math.log2(MARK_OFFSET_SPAN),
  markGenerationBits: Math.log2(MARK_GENERATIONS),
  status: Status,
  fixedPoolStatsFields: FIXED_POOL_STATS_FIELDS,
  arenaStatsFields: ARENA_STATS_FIELDS,
  /**
   * The native addon's argument block, in doubles: JavaScript writes the allocator's `id` and the
   * arguments, calls, and reads `result` (a handle, a status, or a new allocator's id).
   */
  argumentBlock: { id: 0, arg0: 1, arg1: 2, result: 3, length: 4 },
} as const;
