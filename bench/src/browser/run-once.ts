// One upload by one contender in a fresh incognito context: loads the contender's page, selects
// the file(s), applies the link emulation, then measures time (in the page), long tasks and peak heap.
import type { Browser, BrowserContext, CDPSession } from 'playwright-core';
import type { PageResult, RunInput } from '../../page/types';
import type { Link } from '../config';
import { STEP_MS, within } from '../deadline';
import type { CpuProfile } from './cpu-profile';
import { type HeapFigures, startHeapSampler } from './heap-sampler';

export interface RunSpec {
  browser: Browser;
  pageUrl: string;
  /** Selected in the page's file input, in this order. */
  filePaths: string[];
  input: RunInput;
  link: Link;
  timeoutMs: number;
  /** Record a CPU profile of the page's main thread during the upload. */
  cpuProfile?: boolean;
  /** Measure the main thread's busy time during the upload (CDP Performance metrics). */
  mainThread?: boolean;
}

/** The page's main thread during the upload: all its tasks, and the script part of them. */
export interface MainThreadTime {
  taskMs: number;
  scriptMs: number;
}

export interface RunMeasure {
  page: PageResult;
  heap: HeapFigures | null;
  /** Epoch ms around the upload (to find its requests in the NetLog). */
  window: { start: number; end: number };
  cpuProfile?: CpuProfile;
  mainThread?: MainThreadTime;
}

async function mainThreadTime(cdp: CDPSession): Promise<MainThreadTime> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  const seconds = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return { taskMs: seconds('TaskDuration') * 1000, scriptMs: seconds('ScriptDuration') * 1000 };
}

/** Closing a context takes well under a second; a stuck one is left to the browser close. */
const CLOSE_MS = 15_000;

async function openPage(spec: RunSpec, context: BrowserContext) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.goto(spec.pageUrl);
  await page.waitForFunction(() => typeof window.bench?.run === 'function');
  await page.setInputFiles('#file', spec.filePaths);
  if (spec.link.kind === 'cdp') {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: spec.link.latencyMs,
      uploadThroughput: spec.link.bytesPerSecond,
      downloadThroughput: spec.link.bytesPerSecond,
    });
  }
  const stopHeap = await startHeapSampler(cdp);
  if (spec.cpuProfile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  if (spec.mainThread) await cdp.send('Performance.enable');
  const before = spec.mainThread ? await mainThreadTime(cdp) : null;
  return { page, cdp, stopHeap, before };
}

/**
 * Every step is bounded (deadline.ts): the upload by `timeoutMs` (a failed result), the steps
 * around it by a minute each (a StepTimeout, thrown: the browser may be stuck).
 */
export async function runOnce(spec: RunSpec): Promise<RunMeasure> {
  const context = await within(STEP_MS, 'opening a browser context', spec.browser.newContext());
  try {
    const { page, cdp, stopHeap, before } = await within(
      STEP_MS,
      'opening the contender page',
      openPage(spec, context),
    );
    let result: PageResult;
    const start = Date.now();
    try {
      result = await within(
        spec.timeoutMs,
        'the upload',
        page.evaluate((input) => {
          const bench = window.bench;
          if (!bench) throw new Error('bench harness missing');
          return bench.run(input);
        }, spec.input),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = {
        ok: false,
        error: message,
        ms: spec.timeoutMs,
        longTasks: { count: 0, totalMs: 0, longestMs: 0, tasks: [] },
      };
    }
    const end = Date.now();
    const after = before ? await within(STEP_MS, 'reading main-thread time', mainThreadTime(cdp)) : null;
    const mainThread =
      before && after
        ? { taskMs: after.taskMs - before.taskMs, scriptMs: after.scriptMs - before.scriptMs }
        : undefined;
    const cpuProfile = spec.cpuProfile
      ? (
          (await within(STEP_MS, 'stopping the CPU profile', cdp.send('Profiler.stop'))) as {
            profile: CpuProfile;
          }
        ).profile
      : undefined;
    const heap = await Promise.race([stopHeap(), new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    return {
      page: result,
      heap,
      window: { start, end },
      ...(cpuProfile ? { cpuProfile } : {}),
      ...(mainThread ? { mainThread } : {}),
    };
  } finally {
    await within(CLOSE_MS, 'closing the browser context', context.close()).catch(() => {});
  }
}
