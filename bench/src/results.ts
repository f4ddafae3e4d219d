// What one benchmark run produces (also the shape of bench/results/latest.json).
import type { Timeline } from './browser/timeline';
import type { Scenario } from './config';
import type { ContenderId } from './contenders';
import type { Spread } from './stats';

export interface Requests {
  total: number;
  preflights: number;
  detail: Record<string, number>;
}

/** One S3 hostname (origin) of a run. */
export interface S3HostFigures {
  /** Part PUTs sent to it (many files: every PUT), from the NetLog. */
  puts: number;
  /** Long-fat link only: connections the browser opened through its pacing proxy during the run. */
  connections?: number;
  /** Long-fat link only: bytes the browser sent through its pacing proxy during the run. */
  bytesUp?: number;
}

export interface RunRecord {
  repetition: number;
  /** The object's key (as given to the contender when its upload failed); many files: their key prefix. */
  key: string;
  /** Objects uploaded (files in the run). */
  objects?: number;
  ok: boolean;
  error?: string;
  ms: number;
  /** 10^6 bytes per second, all files together. */
  mbps: number;
  longTaskMs: number;
  longTasks: number;
  longestTaskMs: number;
  heapBaselineBytes: number | null;
  heapPeakBytes: number | null;
  /** The page's dedicated workers together (hashers); 0 when none ran. Absent in older results. */
  workersHeapPeakBytes?: number | null;
  signerRequests: Requests;
  s3Requests: Requests;
  /** By S3 origin: where the parts went. Absent in older results and in runs that threw. */
  s3Hosts?: Record<string, S3HostFigures>;
  /** Epoch ms around the upload. */
  window: { start: number; end: number };
  /** From the NetLog; null for a single PUT (one file) or a failed run. */
  timeline: Timeline | null;
}

export interface Row {
  contender: ContenderId;
  label: string;
  versions: Record<string, string>;
  signing: string;
  bundleGzipBytes: number;
  bundleInitialGzipBytes: number;
  bundleMinifiedBytes: number;
  /** Every run uploaded and the object read back had the file's SHA-256. */
  ok: boolean;
  failure?: string;
  mbps: Spread | null;
  ratioToReference: number | null;
  longTaskMs: Spread | null;
  heapPeakBytes: number | null;
  /** Peak over the runs of the page's workers' heaps together (null: not measured). */
  workersHeapPeakBytes?: number | null;
  /** Runs not started because the time budget (BENCH_BUDGET_S) ran out. */
  skippedRuns: number;
  /** Run once only: its first run was under a quarter of the reference's speed (BENCH_REPEAT_SLOW=1 repeats it). */
  ranOnce: boolean;
  /** Largest growth of the JS heap over its pre-upload baseline. */
  heapGrowthBytes: number | null;
  runs: RunRecord[];
}

export interface ScenarioResult {
  scenario: Scenario;
  target: string;
  /** 1-minute load average when the scenario started and ended (the machine may be shared). */
  loadAverage: { start: number; end: number };
  rows: Row[];
}

export interface BenchResult {
  date: string;
  machine: Record<string, string>;
  settings: { partSize: number; concurrency: number };
  scenarios: ScenarioResult[];
}
