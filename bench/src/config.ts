// Benchmark settings, from environment variables (see bench/README.md). Sizes are in MiB, rates in
// MB/s (10^6 bytes per second), as every figure the bench prints.
import { resolve } from 'node:path';
import { CONTENDER_IDS, type ContenderId, MANY_FILE_CONTENDERS, VARIANT_IDS } from './contenders';

export const MiB = 1024 * 1024;
export const MB = 1_000_000;
/** Chromium's HTTP/1.1 connections per host: what a many-files upload can use at most. */
export const BROWSER_CONNECTIONS_PER_HOST = 6;

export type Link =
  | { kind: 'direct' }
  /** Chromium's own throttling (CDP Network.emulateNetworkConditions): one total rate + per-request latency. */
  | { kind: 'cdp'; bytesPerSecond: number; latencyMs: number }
  /** A proxy pacing each TCP connection at `bytesPerSecond` each way, adding half the RTT each way. */
  | { kind: 'proxy'; bytesPerSecond: number; rttMs: number };

export type TargetId = 'rgw' | 's3rver';

export interface Scenario {
  id: string;
  title: string;
  target: TargetId;
  /** Size of each file. */
  sizeBytes: number;
  /** Files uploaded per run, all of `sizeBytes` (default 1: one file). */
  fileCount?: number;
  /** Requests in flight (default: BENCH_CONCURRENCY). */
  concurrency?: number;
  runs: number;
  link: Link;
  /** Only these contenders (default: all chosen). */
  contenders?: ContenderId[];
  /** Left out unless BENCH_CONTENDERS names them (to fit the default time budget). */
  unlessNamed?: ContenderId[];
}

/** A scenario uploading a set of files per run (through the contenders' many-files pages). */
export function isManyFiles(scenario: Scenario): boolean {
  return scenario.fileCount !== undefined;
}

/**
 * The chosen contenders the scenario runs (its own list when none of the chosen fits it). The
 * settings variants of this library run only where a scenario lists them, or when named.
 */
export function scenarioContenders(
  scenario: Scenario,
  config: Pick<BenchConfig, 'contenders' | 'contendersNamed'>,
): ContenderId[] {
  const skipped = config.contendersNamed ? [] : [...VARIANT_IDS, ...(scenario.unlessNamed ?? [])];
  const own = scenario.contenders ?? CONTENDER_IDS.filter((id) => !skipped.includes(id));
  const fit = config.contenders.filter((id) => own.includes(id));
  return fit.length ? fit : (scenario.contenders ?? []);
}

export interface BenchConfig {
  scenarios: Scenario[];
  contenders: ContenderId[];
  /** Whether BENCH_CONTENDERS named them (the variants run only when named or listed). */
  contendersNamed: boolean;
  partSize: number;
  concurrency: number;
  /** Per run: this long plus size / 1 MB/s (plus 0.1 s per file), then the run fails as timed out. */
  runTimeoutMs: number;
  /** Whole run, seconds (0: none). */
  budgetSeconds: number;
  /** Repeat contenders whose first run was under a quarter of the reference's speed (default: run them once). */
  repeatSlow: boolean;
  outFile: string;
  chromiumPath: string;
}

// Default order: most important first (s3rver, a loose mock, is the second target).
const SCENARIO_IDS = [
  'loopback-rgw',
  'longfat-rgw',
  'slow-rgw',
  'loopback-s3rver',
  'heap-1gib',
  'many-small-rgw',
  'longfat-concurrency-rgw',
] as const;
// Opt-in: heap-1gib (one contender, minutes), many-small-rgw and longfat-concurrency-rgw (do not
// fit the default time budget).
const OPT_IN: readonly string[] = ['heap-1gib', 'many-small-rgw', 'longfat-concurrency-rgw'];
const DEFAULT_SCENARIOS = SCENARIO_IDS.filter((id) => !OPT_IN.includes(id));
type ScenarioId = (typeof SCENARIO_IDS)[number];

function num(name: string, fallback: number, min = 0): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number >= ${min}, got "${raw}"`);
  return value;
}

function list<T extends string>(name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
  const raw = process.env[name]?.trim();
  if (!raw) return [...fallback];
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new Error(`${name}: unknown "${item}"; choose from ${allowed.join(', ')}`);
  }
  return items as T[];
}

function scenario(id: ScenarioId, defaultRuns: number): Scenario {
  const runsFor = (key: string) => Math.round(num(`BENCH_RUNS_${key}`, num('BENCH_RUNS', defaultRuns, 1), 1));
  switch (id) {
    case 'loopback-rgw':
    case 'loopback-s3rver': {
      const target: TargetId = id === 'loopback-rgw' ? 'rgw' : 's3rver';
      // s3rver is the second target: half the size by default, to fit the time budget.
      const size =
        target === 'rgw'
          ? num('BENCH_SIZE_MIB', 256, 1)
          : num('BENCH_S3RVER_SIZE_MIB', num('BENCH_SIZE_MIB', 128, 1), 1);
      return {
        id,
        title: `loopback → ${target === 'rgw' ? 'Ceph RGW' : 's3rver'}, ${size} MiB`,
        target,
        sizeBytes: Math.round(size * MiB),
        runs: runsFor(target === 'rgw' ? 'LOOPBACK_RGW' : 'LOOPBACK_S3RVER'),
        link: { kind: 'direct' },
        // They hash every part on the main thread at ~3–5 MB/s (0.05–0.06× on s3rver, 2026-12-04
        // 11:46): a minute of the budget each for a figure the RGW column already shows.
        ...(target === 's3rver' ? { unlessNamed: ['lib-storage', 'evaporate'] as ContenderId[] } : {}),
      };
    }
    case 'slow-rgw': {
      const size = num('BENCH_SLOW_SIZE_MIB', 32, 1);
      const rate = num('BENCH_SLOW_MBPS', 4, 0.01);
      const latency = num('BENCH_SLOW_LATENCY_MS', 60);
      return {
        id,
        title: `slow link (CDP throttling ${rate} MB/s total, ${latency} ms per request) → Ceph RGW, ${size} MiB`,
        target: 'rgw',
        sizeBytes: Math.round(size * MiB),
        runs: runsFor('SLOW'),
        link: { kind: 'cdp', bytesPerSecond: rate * MB, latencyMs: latency },
      };
    }
    case 'heap-1gib': {
      const size = num('BENCH_HEAP_SIZE_MIB', 1024, 1);
      return {
        id,
        title: `memory: ${size} MiB on loopback → Ceph RGW, this library only (the JS heap must stay flat)`,
        target: 'rgw',
        sizeBytes: Math.round(size * MiB),
        runs: runsFor('HEAP'),
        link: { kind: 'direct' },
        contenders: ['ours', 'ours-no-integrity'],
      };
    }
    case 'many-small-rgw': {
      const count = Math.round(num('BENCH_SMALL_FILES', 1000, 1));
      const kib = num('BENCH_SMALL_KIB', 100, 1);
      return {
        id,
        title: `many small files: ${count} × ${kib} KiB, loopback → Ceph RGW`,
        target: 'rgw',
        sizeBytes: Math.round(kib * 1024),
        fileCount: count,
        concurrency: BROWSER_CONNECTIONS_PER_HOST,
        runs: runsFor('SMALL'),
        link: { kind: 'direct' },
        contenders: [...MANY_FILE_CONTENDERS],
      };
    }
    case 'longfat-rgw':
    case 'longfat-concurrency-rgw': {
      // Concurrency: 192 MiB, 24 parts: several rounds of 6 (or 12) parts in flight.
      const concurrency = id === 'longfat-concurrency-rgw';
      const size = concurrency
        ? num('BENCH_LONGFAT_CONCURRENCY_SIZE_MIB', 192, 1)
        : num('BENCH_LONGFAT_SIZE_MIB', 64, 1);
      const rate = num('BENCH_LONGFAT_MBPS', 2, 0.01);
      const rtt = num('BENCH_LONGFAT_RTT_MS', 80);
      const link = `long-fat link (proxy: ${rate} MB/s per TCP connection each way, ${rtt} ms RTT)`;
      return {
        id,
        title: `${concurrency ? "concurrency 'auto' against fixed settings, " : ''}${link} → Ceph RGW, ${size} MiB`,
        target: 'rgw',
        sizeBytes: Math.round(size * MiB),
        runs: runsFor(concurrency ? 'LONGFAT_CONCURRENCY' : 'LONGFAT'),
        link: { kind: 'proxy', bytesPerSecond: rate * MB, rttMs: rtt },
        ...(concurrency
          ? {
              contenders: [
                'reference',
                'ours-fixed-2',
                'ours-no-integrity',
                'ours-fixed-6',
                'ours-auto',
                'ours-auto-2-hosts',
              ],
            }
          : {}),
      };
    }
  }
}

/** Default runs per scenario: 3 where a run is short, fewer where one repetition takes minutes. */
const DEFAULT_RUNS: Record<ScenarioId, number> = {
  'loopback-rgw': 3,
  'loopback-s3rver': 1,
  'slow-rgw': 1,
  'longfat-rgw': 1,
  'heap-1gib': 1,
  'many-small-rgw': 1,
  'longfat-concurrency-rgw': 1,
};

/**
 * BENCH_OUT, relative to where `npm run bench` was typed (npm runs the bench from bench/, and
 * says where it was started in INIT_CWD).
 */
function outFile(given: string | undefined): string {
  if (!given) return new URL('../results/latest.json', import.meta.url).pathname;
  return resolve(process.env.INIT_CWD ?? process.cwd(), given);
}

export function loadConfig(): BenchConfig {
  const ids = list('BENCH_SCENARIOS', SCENARIO_IDS, DEFAULT_SCENARIOS);
  return {
    scenarios: ids.map((id) => scenario(id, DEFAULT_RUNS[id])),
    contenders: list('BENCH_CONTENDERS', CONTENDER_IDS, CONTENDER_IDS),
    contendersNamed: Boolean(process.env.BENCH_CONTENDERS?.trim()),
    partSize: Math.round(num('BENCH_PART_MIB', 8, 5) * MiB),
    concurrency: Math.round(num('BENCH_CONCURRENCY', 4, 1)),
    runTimeoutMs: num('BENCH_RUN_TIMEOUT_S', 60, 1) * 1000,
    budgetSeconds: num('BENCH_BUDGET_S', 540),
    repeatSlow: process.env.BENCH_REPEAT_SLOW === '1',
    outFile: outFile(process.env.BENCH_OUT?.trim()),
    chromiumPath: process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium',
  };
}
