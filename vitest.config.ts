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

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'server-reference/**/*.test.ts', 'test/unit/**/*.test.ts'],
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
          include: ['src/hooks/**/*.test.tsx', 'src/components/**/*.test.tsx'],
          environment: 'happy-dom',
        },
      },
      ...(projectSelected('storybook', process.argv) ? [await storybookProject()] : []),
    ],
  },
});
