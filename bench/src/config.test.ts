import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig, scenarioContenders } from './config';
import { CONTENDER_IDS, VARIANT_IDS } from './contenders';

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
    const defaults = CONTENDER_IDS.filter((id) => !VARIANT_IDS.includes(id));
    expect(defaults).toContain('lib-storage');
    expect(contendersOf('loopback-rgw')).toEqual(defaults);
    expect(contendersOf('loopback-s3rver')).toEqual(
      defaults.filter((id) => id !== 'lib-storage' && id !== 'evaporate'),
    );
  });

  it('runs on s3rver whatever BENCH_CONTENDERS names', () => {
    vi.stubEnv('BENCH_SCENARIOS', 'loopback-s3rver');
    vi.stubEnv('BENCH_CONTENDERS', 'reference,lib-storage,evaporate,ours-auto');
    expect(contendersOf('loopback-s3rver')).toEqual(['reference', 'lib-storage', 'evaporate', 'ours-auto']);
  });
});
