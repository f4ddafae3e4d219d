import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** Debian's Chromium (never a downloaded browser), with the flags CI needs. */
const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

/** Whether this run's `--project` filters (vitest's wildcard syntax, `!` to exclude) select `name`. */
function projectSelected(name: string, argv: readonly string[]): boolean {
  const filters = argv.flatMap((arg, i) =>
    arg === '--project' ? (argv[i + 1] ?? []) : arg.startsWith('--project=') ? arg.slice(10) : [],
  );
  const literal = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const matches = (pattern: string) =>
    new RegExp(`^${pattern.split('*').map(literal).join('.*')}$`, 'i').test(name);
  const include = filters.filter((f) => !f.startsWith('!'));
  const exclude = filters.filter((f) => f.startsWith('!')).map((f) => f.slice(1));
  return (include.length === 0 || include.some(matches)) && !exclude.some(matches);
}

/**
 * Every story of stories/ as a test in headless Chromium: renders it, runs its play function,
 * then axe (addon-a11y, `a11y.test: 'error'` in .storybook/preview.tsx). Loading Storybook's
 * presets takes seconds, so runs whose --project filters leave it out (e.g. test:unit) skip it.
 */
async function storybookProject(): Promise<TestProjectInlineConfiguration> {
  const { storybookTest } = await import('@storybook/addon-vitest/vitest-plugin');
  const { playwright } = await import('@vitest/browser-playwright');
  return {
    extends: true,
    plugins: [storybookTest({ configDir: '.storybook' })],
    test: {
      name: 'storybook',
      testTimeout: 30_000,
      browser: {
        enabled: true,
        // The first run on a clean clone pre-bundles Storybook's dependencies before the page connects.
        connectTimeout: 120_000,
        headless: true,
        provider: playwright({ launchOptions: CHROMIUM }),
        instances: [{ browser: 'chromium' }],
      },
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The React major a project runs the hook and component tests against (`inject('reactMajor')`). */
    reactMajor: number;
  }
}

/** The hook and component tests, run once per supported React major (peerDependencies: ^18.2 || ^19). */
const REACT_TESTS = ['src/hooks/**/*.test.tsx', 'src/components/**/*.test.tsx'];

/**
 * React 18 for the react18 project: react and react-dom 18.3.1 from test/react18, a package of
 * its own (devDependency react18-test-env) so that react-dom 18 finds its peer react 18 beside it;
 * as root devDependencies (npm: aliases) that peer clashes with the root's React 19 and npm
 * refuses the tree.
 */
function react18Aliases() {
  const fromRoot = createRequire(import.meta.url);
  let fromEnv: NodeJS.Require;
  try {
    fromEnv = createRequire(fromRoot.resolve('react18-test-env/package.json'));
  } catch {
    throw new Error(
      'The react18 test project needs React 18 from test/react18 (devDependency react18-test-env): run `npm install`.',
    );
  }
  const dir = (name: string) => dirname(fromEnv.resolve(`${name}/package.json`));
  const testingLibrary = dirname(fromRoot.resolve('@testing-library/react/package.json'));
  return [
    // Subpaths (react/jsx-runtime, react-dom/client, react-dom/server, react-dom/test-utils) are
    // files of the same name in React 18.
    { find: /^react-dom(\/.*)?$/, replacement: `${dir('react-dom')}$1` },
    { find: /^react(\/.*)?$/, replacement: `${dir('react')}$1` },
    // Its ES build: the CommonJS one would require() React through Node, past these aliases.
    {
      find: /^@testing-library\/react$/,
      replacement: `${testingLibrary}/dist/@testing-library/react.esm.js`,
    },
  ];
}

/** The hook and component tests on React 18 (the react project runs them on the root's React 19). */
function react18Project(): TestProjectInlineConfiguration {
  return {
    test: {
      name: 'react18',
      include: REACT_TESTS,
      environment: 'happy-dom',
      provide: { reactMajor: 18 },
      alias: react18Aliases(),
      // Libraries that import React go through Vite (and so the aliases), not Node's resolver,
      // which would hand them the root's React 19: two Reacts, and hooks that fail.
      server: { deps: { inline: ['@testing-library/react', '@tanstack/react-query'] } },
    },
  };
}

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'src/**/*.test.ts',
            'server-reference/**/*.test.ts',
            'test/unit/**/*.test.ts',
            'bench/src/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/rgw.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'react',
          include: REACT_TESTS,
          environment: 'happy-dom',
          provide: { reactMajor: 19 },
        },
      },
      // Resolved only when selected: a run of other projects does not need React 18 installed.
      ...(projectSelected('react18', process.argv) ? [react18Project()] : []),
      ...(projectSelected('storybook', process.argv) ? [await storybookProject()] : []),
    ],
  },
});
