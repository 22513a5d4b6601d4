import type { Backend, BackendModule } from './contract.js';
import { invalidRange } from './errors.js';

export type BackendName = 'js' | 'wasm' | 'native';
export type BackendChoice = BackendName | 'auto';

/** The order `'auto'` tries: fastest first. */
export const AUTO_ORDER: readonly BackendName[] = ['native', 'wasm', 'js'];

const PACKAGES: Record<BackendName, string> = {
  js: '@mempool/backend-js',
  wasm: '@mempool/backend-wasm',
  native: '@mempool/backend-native',
};

/** What `selectBackend` took, and why it passed over the ones before it. */
export interface BackendSelection {
  readonly backend: Backend;
  readonly passedOver: readonly { readonly name: BackendName; readonly reason: string }[];
}

const importBackend = async (name: BackendName): Promise<Backend> =>
  ((await import(PACKAGES[name])) as BackendModule).backend;

/**
 * Imports a backend by name. `'auto'` (the default, or the environment variable
 * `MEMPOOL_BACKEND`) takes native, then wasm, then js: the first whose package is installed and
 * loads on this machine. A backend named explicitly that will not load is an error, never a silent
 * fallback.
 */
export async function selectBackend(choice: unknown = process.env.MEMPOOL_BACKEND || 'auto'): Promise<BackendSelection> {
  if (choice !== 'auto' && !(typeof choice === 'string' && choice in PACKAGES)) {
    throw invalidRange('backend', `one of 'auto', 'native', 'wasm', 'js'`, choice);
  }
  if (choice !== 'auto') return { backend: await importBackend(choice as BackendName), passedOver: [] };
  const passedOver: { name: BackendName; reason: string }[] = [];
  for (const name of AUTO_ORDER) {
    try {
      return { backend: await importBackend(name), passedOver };
    } catch (error) {
      passedOver.push({ name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  throw new Error(`no backend loads: ${passedOver.map((p) => `${p.name}: ${p.reason}`).join('; ')}`);
}

/** `selectBackend(choice)`'s backend. */
export async function loadBackend(choice?: BackendChoice): Promise<Backend> {
  return (await selectBackend(choice)).backend;
}
