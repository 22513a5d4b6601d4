import type { Backend, BackendModule } from './contract.js';
import { ErrorCode, invalidRange, unavailable } from './errors.js';
import { runtimeName } from './runtime.js';

export type BackendName = 'js' | 'wasm' | 'native';
export type BackendChoice = BackendName | 'auto';

/**
 * The order `'auto'` tries, the benchmark's order for single `alloc()`/`free()` calls on Node 20
 * and in browsers: js (a few typed-array reads and writes that the JIT inlines into the caller),
 * then wasm (each call crosses into WebAssembly), then native (each call crosses Node-API, about
 * ten times js's cost). Batches (`allocMany`/`freeMany`) narrow the gap but do not reverse it.
 */
export const AUTO_ORDER: readonly BackendName[] = ['js', 'wasm', 'native'];

const BACKEND_NAMES: readonly string[] = AUTO_ORDER;

/** What `selectBackend` took and why, and why it passed over the ones before it. */
export interface BackendSelection {
  readonly backend: Backend;
  /** Why this backend: named explicitly, or the first of {@link AUTO_ORDER} that loads. */
  readonly reason: string;
  /** The backends `'auto'` tried first, each with the error that kept it from loading. */
  readonly passedOver: readonly { readonly name: BackendName; readonly reason: string }[];
}

/**
 * Imports one backend package. Each specifier is a literal so bundlers see and bundle it; inside
 * `try`, a bundler leaves a package that is not installed to fail here at run time, where
 * `'auto'` passes over it, rather than fail the build.
 */
async function importBackend(name: BackendName): Promise<Backend> {
  try {
    let module: BackendModule;
    switch (name) {
      case 'js':
        module = (await import('@mempool/backend-js')) as BackendModule;
        break;
      case 'wasm':
        module = (await import('@mempool/backend-wasm')) as BackendModule;
        break;
      case 'native':
        module = (await import('@mempool/backend-native')) as BackendModule;
        break;
    }
    return module.backend;
  } catch (error) {
    // A backend that refused this runtime itself said why, with the runtime's name, already.
    if ((error as { code?: unknown } | null)?.code === ErrorCode.UNAVAILABLE) throw error;
    throw unavailable(name, runtimeName(), error instanceof Error ? error.message : String(error), error);
  }
}

/** `MEMPOOL_BACKEND` where there is a `process` (Node, Deno, Bun); undefined in a browser. */
function environmentChoice(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.MEMPOOL_BACKEND || undefined;
}

/**
 * Imports a backend by name and says why it took it. `'auto'` (the default, or the environment
 * variable `MEMPOOL_BACKEND` where a `process` exists) takes the first of {@link AUTO_ORDER} —
 * js, wasm, native: the benchmark's fastest first for single calls — whose package is installed
 * and loads here, and lists the ones it passed over with their errors. A backend named explicitly
 * that will not load is an error (`ERR_MEMPOOL_UNAVAILABLE`, naming the runtime and why), never a
 * silent fallback.
 */
export async function selectBackend(choice: unknown = environmentChoice() ?? 'auto'): Promise<BackendSelection> {
  if (choice !== 'auto' && !(typeof choice === 'string' && BACKEND_NAMES.includes(choice))) {
    throw invalidRange('backend', `one of 'auto', ${AUTO_ORDER.map((name) => `'${name}'`).join(', ')}`, choice);
  }
  if (choice !== 'auto') {
    return { backend: await importBackend(choice as BackendName), reason: `'${choice}' was named`, passedOver: [] };
  }
  const passedOver: { name: BackendName; reason: string }[] = [];
  for (const name of AUTO_ORDER) {
    try {
      const backend = await importBackend(name);
      const reason =
        `'auto' took ${name}: the first of ${AUTO_ORDER.join(', ')} (the benchmark's order for single alloc/free calls) that loads here` +
        passedOver.map((p) => `; passed over ${p.name}: ${p.reason}`).join('');
      return { backend, reason, passedOver };
    } catch (error) {
      passedOver.push({ name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  throw unavailable(undefined, runtimeName(), passedOver.map((p) => `${p.name}: ${p.reason}`).join('; '));
}

/** `selectBackend(choice)`'s backend. */
export async function loadBackend(choice?: BackendChoice): Promise<Backend> {
  return (await selectBackend(choice)).backend;
}
