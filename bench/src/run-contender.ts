// One contender's upload in one repetition: run it in the page, count its signer requests, read
// the object back and compare its SHA-256 with the file's, delete it.
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import type { RunInput } from '../page/types';
import { type RunMeasure, runOnce } from './browser/run-once';
import { MB, type Scenario } from './config';
import type { ContenderId } from './contenders';
import type { ScenarioContext } from './context';
import type { TestFile } from './files';
import type { Requests, RunRecord } from './results';
import { abortUnfinished, deleteObject, readBack, s3ClientFor } from './s3/admin';
import type { S3Target } from './s3/target';
import type { Stack } from './stack';

function merge(
  ...snapshots: { total: number; preflights: number; byRoute: Record<string, number> }[]
): Requests {
  const detail: Record<string, number> = {};
  let total = 0;
  let preflights = 0;
  for (const s of snapshots) {
    total += s.total;
    preflights += s.preflights;
    for (const [route, n] of Object.entries(s.byRoute)) detail[route] = (detail[route] ?? 0) + n;
  }
  return { total, preflights, detail };
}

async function verify(
  target: S3Target,
  file: TestFile,
  measure: RunMeasure,
): Promise<{ ok: boolean; error?: string }> {
  if (!measure.page.ok) return { ok: false, error: measure.page.error };
  const admin = s3ClientFor(target);
  try {
    const back = await readBack(admin, target.bucket, measure.page.key);
    await deleteObject(admin, target.bucket, measure.page.key).catch(() => {});
    if (back.size !== file.size || back.sha256 !== file.sha256)
      return {
        ok: false,
        error: `object read back differs (${back.size} bytes, sha256 ${back.sha256.slice(0, 12)}…)`,
      };
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      error: `read-back failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    admin.destroy();
  }
}

export async function runContender(
  ctx: ScenarioContext,
  browser: Browser,
  scenario: Scenario,
  target: S3Target,
  stack: Stack,
  file: TestFile,
  id: ContenderId,
  repetition: number,
): Promise<RunRecord> {
  stack.signer.counter.reset();
  stack.aux.counter.reset();
  const input: RunInput = {
    signerUrl: stack.signerUrl,
    auxUrl: stack.auxUrl,
    s3: {
      endpoint: stack.s3Endpoint,
      bucket: target.bucket,
      region: target.region,
      accessKeyId: target.accessKeyId,
      secretAccessKey: target.secretAccessKey,
    },
    key: `bench/${scenario.id}/${id}/${repetition}-${randomUUID().slice(0, 8)}.bin`,
    partSize: ctx.config.partSize,
    concurrency: ctx.config.concurrency,
  };
  const measure = await runOnce({
    browser,
    pageUrl: `${ctx.pageOrigin}/${id}.html`,
    filePath: file.path,
    input,
    link: scenario.link,
    timeoutMs: ctx.config.runTimeoutMs + (file.size / MB) * 1000,
  });
  const signerRequests = merge(stack.signer.counter.snapshot(), stack.aux.counter.snapshot());
  const checked = await verify(target, file, measure);
  if (!checked.ok && target.listsUploads) {
    const admin = s3ClientFor(target);
    await abortUnfinished(admin, target.bucket).catch(() => 0);
    admin.destroy();
  }
  await target.reclaim?.();
  const { page, heap } = measure;
  return {
    repetition,
    key: page.ok ? page.key : input.key,
    ok: checked.ok,
    ...(checked.error ? { error: checked.error } : {}),
    ms: page.ms,
    mbps: file.size / MB / (page.ms / 1000),
    longTaskMs: page.longTasks.totalMs,
    longTasks: page.longTasks.count,
    longestTaskMs: page.longTasks.longestMs,
    heapBaselineBytes: heap?.baselineBytes ?? null,
    heapPeakBytes: heap?.peakBytes ?? null,
    signerRequests,
    s3Requests: { total: 0, preflights: 0, detail: {} },
    window: measure.window,
    timeline: null,
  };
}
