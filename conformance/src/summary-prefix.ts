/** Every backend's cases sit under a top-level `describe` named `conformance <backend>`. */
export const SUITE_PREFIX = 'conformance ';

/**
 * How a group this platform cannot check is announced: a warning at registration,
 * `[conformance: not run] conformance <backend> > <group>: <why>`, that the summary reporter
 * collects into that backend's line. No case is registered for it, so nothing is skipped.
 */
export const NOT_RUN_MARK = '[conformance: not run] ';
