/** What messages and reports call the runtime: `Node 26.12.1`, `Bun 1.4.5`, `Deno 2.9.6`, or `a browser`. */
export function runtimeName(): string {
  const versions = (globalThis as { process?: { versions?: Record<string, string | undefined> } }).process?.versions;
  // Bun and Deno also report the Node version they are compatible with: their own name comes first.
  if (versions?.bun) return `Bun ${versions.bun}`;
  if (versions?.deno) return `Deno ${versions.deno}`;
  if (versions?.node) return `Node ${versions.node}`;
  return typeof (globalThis as { document?: unknown }).document === 'object' ? 'a browser' : 'an unknown JavaScript runtime';
}
