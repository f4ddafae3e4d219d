// The engine in a real Chromium: XHR transport, CORS, ETag exposure, offline/online,
// against the reference signer and Ceph RGW. Objects are compared by SHA-256.
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBucket, sha256OfObject, signerConfigFor } from '../support/s3';
import { type BrowserStack, startBrowserStack } from './support/stack';

const MiB = 1024 * 1024;
let stack: BrowserStack;
let page: Page;
let context: BrowserContext;

async function startSigner(bucket?: string): Promise<string> {
  return (await stack.startSigner(bucket ? { bucket } : {})).url;
}

interface RunResult {
  ok: boolean;
  result?: { key: string; size: number; partCount: number; integrity: string };
  error?: { code: string; message: string };
  sha256: string;
  statuses: string[];
  backwards: boolean;
  retries: string[];
  peakInFlight: number;
  peakPerHost: number;
  putsByHost: Record<string, number>;
}

function runUpload(options: {
  signer: string;
  size: number;
  concurrency?: number | 'auto';
}): Promise<RunResult> {
  return page.evaluate((o) => window.runUpload(o), options) as Promise<RunResult>;
}

/** CDP network conditions for the page: `uploadThroughput` in bytes/s (-1: unlimited). */
function linkConditions(
  cdp: CDPSession,
  link: { offline?: boolean; latency?: number; uploadThroughput?: number },
) {
  return cdp.send('Network.emulateNetworkConditions', {
    offline: link.offline ?? false,
    latency: link.latency ?? 0,
    downloadThroughput: -1,
    uploadThroughput: link.uploadThroughput ?? -1,
  });
}

beforeAll(async () => {
  stack = await startBrowserStack(join(__dirname, 'pages/engine-page.ts'), 'engine');
  ({ context } = await stack.launchBrowser());
  page = await context.newPage();
  await page.goto(stack.server.origin);
  await page.waitForFunction(() => typeof window.runUpload === 'function');
});

afterAll(async () => {
  await stack?.close();
});

describe('engine in Chromium → reference signer → RGW', () => {
  it('uploads parts in parallel with XHR and stores an identical object', async () => {
    const signer = await startSigner();
    const run = await runUpload({ signer, size: 23 * MiB + 7 });
    expect(run.error).toBeUndefined();
    // Part MD5s hashed in Web Workers, bound as Content-MD5, and the ETag checked against them.
    expect(run.result).toMatchObject({ size: 23 * MiB + 7, partCount: 5, integrity: 'verified' });
    expect(run.backwards).toBe(false);
    expect(run.statuses).toEqual(['preparing', 'uploading', 'completing', 'completed']);
    expect(await sha256OfObject(stack.s3, stack.s3Config.bucket, run.result?.key as string)).toBe(run.sha256);
  });

  it("keeps 6 parts in flight per S3 hostname with concurrency 'auto' when the signer spreads parts over two", async () => {
    // The same RGW under a second hostname: the browser counts its 6 connections per host.
    const main = new URL(stack.s3Config.endpoint);
    const second = `${main.protocol}//localhost:${main.port}`;
    const signer = await stack.startSigner({
      config: {
        s3: { ...signerConfigFor(stack.s3Config).s3, partEndpoints: [second] },
      },
    });
    // Slow the link so that the parts overlap (loopback would finish each before the next starts).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await linkConditions(cdp, { latency: 20, uploadThroughput: 16 * MiB });
    try {
      const run = await runUpload({ signer: signer.url, size: 24 * 5 * MiB, concurrency: 'auto' });
      expect(run.error).toBeUndefined();
      expect(run.result).toMatchObject({ partCount: 24, integrity: 'verified' });
      expect(run.putsByHost).toEqual({ [main.host]: 12, [`localhost:${main.port}`]: 12 });
      expect(run.peakPerHost).toBe(6);
      expect(run.peakInFlight).toBe(12);
      // A part queued inside the browser past its 6 connections would stall and be retried.
      expect(run.retries).toEqual([]);
      expect(await sha256OfObject(stack.s3, stack.s3Config.bucket, run.result?.key as string)).toBe(
        run.sha256,
      );
    } finally {
      await linkConditions(cdp, {});
      await cdp.detach();
    }
  });

  it('says exactly what to fix when the bucket CORS does not expose ETag', async () => {
    const bucket = 'no-etag-exposed';
    await ensureBucket(stack.s3, bucket, { exposeEtag: false });
    const signer = await startSigner(bucket);
    const run = await runUpload({ signer, size: 12 * MiB });
    expect(run.ok).toBe(false);
    expect(run.error?.code).toBe('ETAG_NOT_EXPOSED');
    expect(run.error?.message).toMatch(/ExposeHeaders/);
  });

  it('pauses while the browser is offline and completes when it is back', async () => {
    const signer = await startSigner();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // Slow the link so the upload is still running when the network drops.
    await linkConditions(cdp, { latency: 20, uploadThroughput: 8 * MiB });
    const running = runUpload({ signer, size: 30 * MiB, concurrency: 2 });
    await page.waitForFunction(() => (window.lastState?.bytesUploaded ?? 0) > 4 * 1024 * 1024, null, {
      timeout: 30_000,
    });
    await linkConditions(cdp, { offline: true });
    await page.waitForFunction(() => window.lastState?.status === 'offline', null, { timeout: 10_000 });
    const whileOffline = await page.evaluate(() => window.lastState?.bytesUploaded ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await page.evaluate(() => window.lastState?.status)).toBe('offline');
    await linkConditions(cdp, {});
    const run = await running;
    await cdp.detach();
    expect(run.error).toBeUndefined();
    expect(run.statuses).toContain('offline');
    expect(run.backwards).toBe(false);
    expect(whileOffline).toBeLessThan(30 * MiB);
    expect(await sha256OfObject(stack.s3, stack.s3Config.bucket, run.result?.key as string)).toBe(run.sha256);
  });
});
