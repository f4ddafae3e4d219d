// A contender's row from its runs.

import { isManyFiles, type Scenario } from './config';
import { CONTENDERS, type ContenderId, pageName } from './contenders';
import type { ScenarioContext } from './context';
import type { Row, RunRecord } from './results';
import { spread } from './stats';

/**
 * Under a quarter of the reference's speed in the first repetition (or known before it: the
 * reference runs first in repetition 1). Such a contender takes minutes per run on loopback;
 * one run says where it stands, repeating it would eat the time budget of the close contests.
 */
export function isSlow(record: RunRecord, runs: Map<ContenderId, RunRecord[]>): boolean {
  const reference = runs.get('reference')?.find((r) => r.ok);
  return record.ok && reference !== undefined && record.mbps < reference.mbps / 4;
}

export function summarize(
  ctx: ScenarioContext,
  scenario: Scenario,
  id: ContenderId,
  runs: RunRecord[],
  skippedRuns: number,
  ranOnce: boolean,
  referenceMbps: number | null,
): Row {
  const manyFiles = isManyFiles(scenario);
  const spec = CONTENDERS[id];
  const { label, signing } = (manyFiles && spec.many) || spec;
  const bundle = ctx.bundles.get(pageName(id, manyFiles));
  const good = runs.filter((r) => r.ok);
  const failed = runs.find((r) => !r.ok);
  const mbps = spread(good.map((r) => r.mbps));
  const heaps = runs.map((r) => r.heapPeakBytes).filter((h): h is number => h !== null);
  const workerHeaps = runs.map((r) => r.workersHeapPeakBytes ?? null).filter((h): h is number => h !== null);
  const growth = runs
    .filter((r) => r.heapPeakBytes !== null && r.heapBaselineBytes !== null)
    .map((r) => (r.heapPeakBytes as number) - (r.heapBaselineBytes as number));
  return {
    contender: id,
    label,
    versions: ctx.versions.get(id) ?? {},
    signing,
    bundleGzipBytes: bundle?.gzipBytes ?? 0,
    bundleInitialGzipBytes: bundle?.initialGzipBytes ?? 0,
    bundleMinifiedBytes: bundle?.minifiedBytes ?? 0,
    ok: runs.length > 0 && !failed,
    ...(failed ? { failure: failed.error ?? 'failed' } : {}),
    mbps,
    ratioToReference: mbps && referenceMbps ? mbps.median / referenceMbps : null,
    longTaskMs: spread(runs.map((r) => r.longTaskMs)),
    heapPeakBytes: heaps.length ? Math.max(...heaps) : null,
    workersHeapPeakBytes: workerHeaps.length ? Math.max(...workerHeaps) : null,
    skippedRuns,
    ranOnce,
    heapGrowthBytes: growth.length ? Math.max(...growth) : null,
    runs,
  };
}
