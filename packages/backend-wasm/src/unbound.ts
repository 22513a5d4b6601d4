import { invalidType, type MempoolError } from '@mempool/api';

/** A method called with the wrong `this` (`handles.forEach(pool.free)`): the contract's TypeError. */
export function unbound(kind: string, method: string, self: unknown): MempoolError<TypeError> {
  return invalidType(`${kind}.${method}()'s this`, `the ${kind} it was taken from (call it as a method, or bind it)`, self);
}
