import { afterEach } from 'vitest';
import type { Backend, BackendModule } from '@mempool/api';
import { Scope } from './support.js';

/** What every group of cases gets: the backend under test and a scope that cleans up after each case. */
export interface SuiteContext {
  readonly module: BackendModule;
  readonly backend: Backend;
  readonly scope: Scope;
}

export function createContext(module: BackendModule): SuiteContext {
  const scope = new Scope();
  afterEach(() => scope.destroyAll());
  return { module, backend: module.backend, scope };
}
