// What each entry point pulls in: apps that only use the basic hooks never load React Query,
// and the engine entry stays free of Dexie (the stores have their own entry).
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const EXTERNAL = ['react', 'react-dom', 'react/jsx-runtime', 'dexie', '@tanstack/react-query'];

/** Bare imports of the bundle of `entry` (externals only). */
async function externalImports(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    external: EXTERNAL,
    logLevel: 'silent',
  });
  const imports = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) if (imported.external) imports.add(imported.path);
  }
  return imports;
}

describe('entry points', () => {
  it('the main entry (hooks, components, engine) does not import @tanstack/react-query', async () => {
    const imports = await externalImports('src/index.ts');
    expect(imports.has('react')).toBe(true);
    expect(imports.has('@tanstack/react-query')).toBe(false);
  });

  it('the query entry does', async () => {
    expect((await externalImports('src/query.ts')).has('@tanstack/react-query')).toBe(true);
  });

  it('the engine entry imports neither React, React Query nor Dexie', async () => {
    const imports = await externalImports('src/engine/index.ts');
    expect([...imports]).toEqual([]);
  });
});
