// One contender's upload in one repetition: run it in the page, count its signer requests, read
// every object back and compare its SHA-256 with its file's, delete it.
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import type { RunInput } from '../page/types';
import { runOnce } from './browser/run-once';
import { isManyFiles, MB, type Scenario } from './config';
import { type ContenderId, pageName } from './contenders';
import type { ScenarioContext } from './context';
import { STEP_MS, within } from './deadline';
import type { TestFile } from './files';
import type { ProxyStats } from './net/pacing-proxy';
import type { Requests, RunRecord, S3HostFigures } from './results';
import { abortUnfinished, s3ClientFor } from './s3/admin';
import type { S3Target } from './s3/target';
import type { Stack } from './stack';
import { verifyObjects } from './verify-objects';

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

const noRequests = (): Requests => ({ total: 0, preflights: 0, detail: {} });

function s3ProxyStats(stack: Stack): Map<string, ProxyStats> {
  return new Map([...stack.s3Proxies].map(([origin, proxy]) => [origin, proxy.stats()]));
}

/** What each S3 host's pacing proxy carried for the browser between two snapshots (none: no proxies). */
function s3HostsDuring(
  before: Map<string, ProxyStats>,
  after: Map<string, ProxyStats>,
): Record<string, S3HostFigures> | undefined {
  if (!after.size) return undefined;
  const hosts: Record<string, S3HostFigures> = {};
  for (const [origin, now] of after) {
    const then = before.get(origin);
    hosts[origin] = {
      puts: 0,
      connections: now.pacedConnections - (then?.pacedConnections ?? 0),
      bytesUp: now.bytesUp - (then?.bytesUp ?? 0),
    };
  }
  return hosts;
}

/** A run that threw (a step hung, the page could not be opened): a failed record with the reason. */
export function failedRun(repetition: number, key: string, error: unknown): RunRecord {
  const now = Date.now();
  return {
    repetition,
    key,
    ok: false,
    error: error instanceof Error ? error.message : String(error),
    ms: 0,
    mbps: 0,
    longTaskMs: 0,
    longTasks: 0,
    longestTaskMs: 0,
    heapBaselineBytes: null,
    heapPeakBytes: null,
    signerRequests: noRequests(),
    s3Requests: noRequests(),
    window: { start: now, end: now },
    timeline: null,
  };
}

export async function runContender(
  ctx: ScenarioContext,
  browser: Browser,
  scenario: Scenario,
  target: S3Target,
  stack: Stack,
  files: TestFile[],
  id: ContenderId,
  repetition: number,
): Promise<RunRecord> {
  const manyFiles = isManyFiles(scenario);
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  for (const counter of stack.counters) counter.reset();
  const route = stack.routeFor(id);
  const proxiesBefore = s3ProxyStats(stack);
  const input: RunInput = {
    signerUrl: route.signerUrl,
    auxUrl: stack.auxUrl,
    s3: {
      endpoint: stack.s3Endpoint,
      bucket: target.bucket,
      region: target.region,
      accessKeyId: target.accessKeyId,
      secretAccessKey: target.secretAccessKey,
    },
    // Many files: a prefix, each file goes to `${key}/${file.name}`.
    key: `bench/${scenario.id}/${id}/${repetition}-${randomUUID().slice(0, 8)}${manyFiles ? '' : '.bin'}`,
    partSize: ctx.config.partSize,
    concurrency: scenario.concurrency ?? ctx.config.concurrency,
  };
  const measure = await runOnce({
    browser,
    pageUrl: `${ctx.pageOrigin}/${pageName(id, manyFiles)}.html`,
    filePaths: files.map((f) => f.path),
    input,
    link: scenario.link,
    timeoutMs: ctx.config.runTimeoutMs + (totalBytes / MB) * 1000 + (manyFiles ? files.length * 100 : 0),
  });
  const signerRequests = merge(...stack.counters.map((c) => c.snapshot()));
  const s3Hosts = s3HostsDuring(proxiesBefore, s3ProxyStats(stack));
  const { page, heap } = measure;
  // Reading back runs at ≥ 20 MB/s here; a minute on top covers a slow start.
  const readBackMs = 60_000 + (totalBytes / MB) * 50;
  const checked = page.ok
    ? await within(readBackMs, 'reading the objects back', verifyObjects(target, files, page.keys))
    : page;
  if (!checked.ok && target.listsUploads) {
    const admin = s3ClientFor(target);
    await within(STEP_MS, 'aborting unfinished uploads', abortUnfinished(admin, target.bucket)).catch(
      () => 0,
    );
    admin.destroy();
  }
  if (target.reclaim) await within(STEP_MS * 2, 'reclaiming the S3 space', target.reclaim());
  return {
    repetition,
    key: page.ok && !manyFiles ? (page.keys[0] ?? input.key) : input.key,
    objects: files.length,
    ok: checked.ok,
    ...(checked.ok ? {} : { error: checked.error }),
    ms: page.ms,
    mbps: totalBytes / MB / (page.ms / 1000),
    longTaskMs: page.longTasks.totalMs,
    longTasks: page.longTasks.count,
    longestTaskMs: page.longTasks.longestMs,
    heapBaselineBytes: heap?.baselineBytes ?? null,
    heapPeakBytes: heap?.peakBytes ?? null,
    workersHeapPeakBytes: heap?.workersPeakBytes ?? null,
    signerRequests,
    s3Requests: noRequests(),
    ...(s3Hosts ? { s3Hosts } : {}),
    window: measure.window,
    timeline: null,
  };
}
