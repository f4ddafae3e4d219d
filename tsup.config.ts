import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      engine: 'src/engine/index.ts',
      store: 'src/engine/store/index.ts',
      query: 'src/query.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: true,
    target: 'es2022',
    external: ['react', 'react-dom', '@tanstack/react-query', 'dexie'],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    // One file: otherwise the shebang banner lands on every lazily loaded chunk too.
    splitting: false,
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
