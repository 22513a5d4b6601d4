/**
 * What the suite needs from Node, reached without a `node:` import so the suite also bundles and
 * runs in a browser. `process.getBuiltinModule` (Node 20.16+) gives built-ins synchronously; where
 * there is no Node, every helper here says so by returning `undefined`.
 */

interface NodeProcess {
  readonly env: Record<string, string | undefined>;
  memoryUsage(): { rss: number };
  getBuiltinModule?(id: string): unknown;
}

const nodeProcess = (globalThis as { process?: NodeProcess }).process;

function builtin<T>(id: string): T | undefined {
  return nodeProcess?.getBuiltinModule?.(id) as T | undefined;
}

/** An environment variable, where the platform has them. */
export function environment(name: string): string | undefined {
  return nodeProcess?.env?.[name];
}

/** The process's resident set size in bytes, or `undefined` outside Node. */
export function residentBytes(): number | undefined {
  return nodeProcess?.memoryUsage?.().rss;
}

/** The machine's physical memory in bytes, or `undefined` where it cannot be known. */
export function totalMemoryBytes(): number | undefined {
  return builtin<{ totalmem(): number }>('node:os')?.totalmem();
}

let collector: (() => void) | null | undefined;

/**
 * A function that runs a full garbage collection, or `undefined` where none can be had, found by
 * what the runtime offers: a global `gc` (`node --expose-gc`), Bun's `Bun.gc(true)`, or under Node
 * and Deno with no flag: `--expose-gc` set at run time takes effect for new contexts, and a fresh
 * context's `gc` collects the whole isolate. A runtime whose new contexts have no `gc` (the lookup
 * throws there) has none.
 */
export function garbageCollector(): (() => void) | undefined {
  if (collector !== undefined) return collector ?? undefined;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (collector = exposed);
  const bun = (globalThis as { Bun?: { gc?(force: boolean): void } }).Bun;
  if (typeof bun?.gc === 'function') return (collector = () => bun.gc?.(true));
  const v8 = builtin<{ setFlagsFromString(flags: string): void }>('node:v8');
  const vm = builtin<{ runInNewContext(code: string): unknown }>('node:vm');
  if (v8 === undefined || vm === undefined) return (collector = null) ?? undefined;
  let gc: unknown;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
  } catch {
    gc = undefined;
  }
  collector = typeof gc === 'function' ? (gc as () => void) : null;
  return collector ?? undefined;
}
