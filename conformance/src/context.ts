import { afterEach } from './runner.js';
import type { Backend, BackendModule } from '@mempool/api';
import type { ConformanceOptions } from './options.js';
import { Scope } from './support.js';

/** What every group of cases gets: the backend under test, the caller's options and a scope that cleans up after each case. */
export interface SuiteContext {
  readonly module: BackendModule;
  readonly backend: Backend;
  readonly options: ConformanceOptions;
  readonly scope: Scope;
}

export function createContext(module: BackendModule, options: ConformanceOptions): SuiteContext {
  const scope = new Scope();
  afterEach(() => scope.destroyAll());
  return { module, backend: module.backend, options, scope };
}
