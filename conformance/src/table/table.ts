/**
 * The test table the library was specified with (the C library's original test plan): each row's
 * name and its number of cases. Every row is a `describe` of the suite with at least that many
 * `it` cases; the rows add up to 84.
 */
export const TEST_TABLE: ReadonlyMap<string, number> = new Map([
  ['Fixed pool lifecycle', 2],
  ['Fixed pool allocation', 6],
  ['Fixed pool capacity', 5],
  ['Fixed pool reset', 4],
  ['Fixed pool reuse', 2],
  ['Fixed pool large objects', 2],
  ['Fixed pool stats', 9],
  ['Arena lifecycle', 2],
  ['Arena allocation', 4],
  ['Arena alignment', 6],
  ['Arena OOM', 3],
  ['Arena reset', 5],
  ['Arena sequential', 12],
  ['Arena large alignment', 4],
  ['Arena stats', 8],
  ['Error handling', 6],
  ['Version info', 4],
]);
