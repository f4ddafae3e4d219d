// The engine in Chromium with a fault proxy between the browser and RGW: resets, 503 SlowDown,
// a stalled request, a corrupted byte, URLs that expire, a wrong client clock, a signer that
// restarts mid-upload, and cancel. Every object is compared by SHA-256.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignerConfig } from '../../server-reference/config';
import { type FaultPlan, type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { listMultipartUploads, sha256OfObject } from '../support/s3';
import { type BrowserStack, startBrowserStack, type TestSigner } from './support/stack';

const MiB = 1024 * 1024;
let stack: BrowserStack;
let page: Page;
let proxy: FaultProxy;

/** A signer whose URLs point at the fault proxy; `restart` brings one back on its port. */
async function startSigner(
  config: Partial<SignerConfig> = {},
  restart?: { port: number; owner: string },
): Promise<TestSigner> {
  return stack.startSigner({ endpoint: proxy.url, config, ...restart });
}

interface RunResult {
  ok: boolean;
  result?: { key: string; size: number; integrity: string };
  error?: { code: string; message: string };
  sha256: string;
  backwards: boolean;
  retries: string[];
}

function runUpload(options: Record<string, unknown>): Promise<RunResult> {
  return page.evaluate((o) => window.runUpload(o as never), options) as Promise<RunResult>;
}

/** The first attempt of the given part gets the fault; later attempts pass. */
function onFirstAttempt(
  faults: Record<number, Parameters<FaultPlan>[0] extends infer _ ? ReturnType<FaultPlan> : never>,
): FaultPlan {
  const seen = new Set<number>();
  return (request) => {
    const match = /[?&]partNumber=(\d+)/.exec(request.path);
    if (request.method !== 'PUT' || !match) return null;
    const part = Number(match[1]);
    if (seen.has(part)) return null;
    seen.add(part);
    return faults[part] ?? null;
  };
}

beforeAll(async () => {
  stack = await startBrowserStack(join(__dirname, 'pages/engine-page.ts'), 'engine');
  proxy = await startFaultProxy({ target: stack.s3Config.endpoint });
  page = await (await stack.launchBrowser()).context.newPage();
});

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

async function freshPage(): Promise<void> {
  await page.goto(stack.server.origin);
  await page.waitForFunction(() => typeof window.runUpload === 'function');
}

describe('engine in Chromium through a fault proxy into RGW', () => {
  it('completes byte-identical through resets, 503 SlowDown, a stall and a corrupted byte', async () => {
    await freshPage();
    const { url } = await startSigner();
    proxy.setPlan(
      onFirstAttempt({
        2: { kind: 'reset', afterBodyBytes: 1 * MiB },
        3: { kind: 'slowDown' },
        4: { kind: 'stall', afterBodyBytes: 512 * 1024 },
        5: { kind: 'corrupt', atBodyByte: 4242 },
      }),
    );
    const run = await runUpload({ signer: url, size: 31 * MiB, stallTimeoutMs: 2000 });
    proxy.setPlan(() => null);
    expect(run.error).toBeUndefined();
    // Chromium itself may resend a PUT whose reused connection was reset, so part 2's retry can
    // happen below the engine; the others must be the engine's.
    expect(run.retries).toEqual(expect.arrayContaining(['3:throttled', '4:timeout', '5:corrupted']));
    expect(
      run.retries.every((r) => ['2:network', '3:throttled', '4:timeout', '5:corrupted'].includes(r)),
    ).toBe(true);
    expect(proxy.stats.faults).toMatchObject({ reset: 1, slowDown: 1, stall: 1, corrupt: 1 });
    expect(run.backwards).toBe(false);
    expect(run.result?.integrity).toBe('verified');
    expect(await sha256OfObject(stack.s3, stack.s3Config.bucket, run.result?.key as string)).toBe(run.sha256);
  });

  it('re-signs URLs that expire during a slow upload', async () => {
    await freshPage();
    const { url } = await startSigner({ urlLifetimeSeconds: 2 });
    // The proxy holds each part's first attempt for longer than the URL lives.
    proxy.setPlan(onFirstAttempt({ 1: { kind: 'delay', ms: 2500 }, 3: { kind: 'delay', ms: 2500 } }));
    const run = await runUpload({ signer: url, size: 16 * MiB, concurrency: 2 });
    proxy.setPlan(() => null);
    expect(run.error).toBeUndefined();
    expect([...run.retries].sort()).toEqual(['1:expired', '3:expired']);
    expect(await sha256OfObject(stack.s3, stack.s3Config.bucket, run.result?.key as string)).toBe(run.sha256);
  });

  it('is unaffected by a client clock that is hours off', async () => {
    await freshPage();
    const { url } = await startSigner({ urlLifetimeSeconds: 60 });
    for (const skew of [-3 * 3600_000, 5 * 3600_000]) {
      const run = await runUpload({ signer: url, size: 12 * MiB, clockSkewMs: skew });
      expect(run.error).toBeUndefined();
      expect(run.retries).toEqual([]);
      expect(await sha256OfObject(stack.s3, stack.s3Config.bucket, run.result?.key as string)).toBe(
        run.sha256,
      );
      await freshPage();
    }
  });

  it('rides out a signer restart in the middle of an upload', async () => {
    await freshPage();
    const first = await startSigner();
    const port = Number(new URL(first.url).port);
    // Slow the parts so the upload needs the signer again after the restart.
    proxy.setPlan((request) =>
      request.method === 'PUT' ? { kind: 'rate', bytesPerSecond: 12 * MiB } : null,
    );
    const running = runUpload({ signer: first.url, size: 40 * MiB, concurrency: 2 });
    await page.waitForFunction(() => (window.lastState?.partsCompleted ?? 0) >= 1, null, { timeout: 30_000 });
    await first.app.close();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await startSigner({}, { port, owner: first.owner });
    const run = await running;
    proxy.setPlan(() => null);
    expect(run.error).toBeUndefined();
    expect(run.retries.some((r) => r.startsWith('signer:'))).toBe(true);
    expect(await sha256OfObject(stack.s3, stack.s3Config.bucket, run.result?.key as string)).toBe(run.sha256);
  });

  it('cancel leaves no multipart upload behind', async () => {
    await freshPage();
    const { url } = await startSigner();
    proxy.setPlan((request) => (request.method === 'PUT' ? { kind: 'rate', bytesPerSecond: 4 * MiB } : null));
    const running = runUpload({ signer: url, size: 40 * MiB });
    await page.waitForFunction(() => (window.lastState?.bytesUploaded ?? 0) > 2 * 1024 * 1024, null, {
      timeout: 30_000,
    });
    const key = await page.evaluate(() => window.lastState?.key as string);
    await page.evaluate(() => window.currentUpload?.cancel());
    const run = await running;
    proxy.setPlan(() => null);
    expect(run.error?.code).toBe('CANCELLED');
    expect(await listMultipartUploads(stack.s3, stack.s3Config.bucket, key)).toEqual([]);
  });
});
