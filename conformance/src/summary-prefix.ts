/** Every backend's cases sit under a top-level `describe` named `conformance <backend>`. */
export const SUITE_PREFIX = 'conformance ';
