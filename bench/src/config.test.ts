import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig, scenarioContenders } from './config';

afterEach(() => {
  vi.unstubAllEnvs();
});

function contendersOf(scenarioId: string) {
  const config = loadConfig();
  const scenario = config.scenarios.find((s) => s.id === scenarioId);
  if (!scenario) throw new Error(`no scenario ${scenarioId}`);
  return scenarioContenders(scenario, config);
}

describe('scenarioContenders', () => {
  it('leaves the main-thread hashers out on s3rver by default, and the settings variants everywhere', () => {
    vi.stubEnv('BENCH_SCENARIOS', 'loopback-rgw,loopback-s3rver');
    vi.stubEnv('BENCH_CONTENDERS', '');
    expect(contendersOf('loopback-rgw')).toEqual([
      'single-put',
      'reference',
      'ours',
      'ours-no-integrity',
      'uppy-6',
      'uppy-5',
      'lib-storage',
      'evaporate',
    ]);
    expect(contendersOf('loopback-s3rver')).toEqual([
      'single-put',
      'reference',
      'ours',
      'ours-no-integrity',
      'uppy-6',
      'uppy-5',
    ]);
  });

  it('runs on s3rver whatever BENCH_CONTENDERS names', () => {
    vi.stubEnv('BENCH_SCENARIOS', 'loopback-s3rver');
    vi.stubEnv('BENCH_CONTENDERS', 'reference,lib-storage,evaporate,ours-auto');
    expect(contendersOf('loopback-s3rver')).toEqual(['reference', 'lib-storage', 'evaporate', 'ours-auto']);
  });
});
