// The engine in a real Chromium: XHR transport, CORS, ETag exposure, offline/online,
// against the reference signer and Ceph RGW. Objects are compared by SHA-256.
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignerApp } from '../../server-reference/app';
import {
  ensureBucket,
  makeS3Client,
  type S3TestConfig,
  sha256OfObject,
  signerConfigFor,
} from '../support/s3';
import { launchChromium } from './support/browser';
import { type PageServer, servePage } from './support/page-server';

const MiB = 1024 * 1024;
const s3Config: S3TestConfig = inject('s3');
let s3: S3Client;
let page: Page;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
let server: PageServer;
const apps: FastifyInstance[] = [];

async function startSigner(bucket = s3Config.bucket): Promise<string> {
  const config = signerConfigFor({ ...s3Config, bucket }, { allowedOrigins: [server.origin] });
  const app = buildSignerApp(config, { authenticate: () => 'browser-tests' });
  apps.push(app);
  return `${await app.listen({ port: 0, host: '127.0.0.1' })}${config.basePath}`;
}

interface RunResult {
  ok: boolean;
  result?: { key: string; size: number; partCount: number; integrity: string };
  error?: { code: string; message: string };
  sha256: string;
  statuses: string[];
  backwards: boolean;
}

function runUpload(options: { signer: string; size: number; concurrency?: number }): Promise<RunResult> {
  return page.evaluate((o) => window.runUpload(o), options) as Promise<RunResult>;
}

beforeAll(async () => {
  s3 = makeS3Client(s3Config);
  server = await servePage(join(__dirname, 'pages/engine-page.ts'), 'engine');
  ({ context, close: closeBrowser } = await launchChromium());
  page = await context.newPage();
  await page.goto(server.origin);
  await page.waitForFunction(() => typeof window.runUpload === 'function');
});

afterAll(async () => {
  await closeBrowser?.();
  for (const app of apps) await app.close();
  await server?.close();
  s3?.destroy();
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
    expect(await sha256OfObject(s3, s3Config.bucket, run.result?.key as string)).toBe(run.sha256);
  });

  it('says exactly what to fix when the bucket CORS does not expose ETag', async () => {
    const bucket = 'no-etag-exposed';
    await ensureBucket(s3, bucket, { exposeEtag: false });
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
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 8 * MiB,
    });
    const running = runUpload({ signer, size: 30 * MiB, concurrency: 2 });
    await page.waitForFunction(() => (window.lastState?.bytesUploaded ?? 0) > 4 * 1024 * 1024, null, {
      timeout: 30_000,
    });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await page.waitForFunction(() => window.lastState?.status === 'offline', null, { timeout: 10_000 });
    const whileOffline = await page.evaluate(() => window.lastState?.bytesUploaded ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await page.evaluate(() => window.lastState?.status)).toBe('offline');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const run = await running;
    await cdp.detach();
    expect(run.error).toBeUndefined();
    expect(run.statuses).toContain('offline');
    expect(run.backwards).toBe(false);
    expect(whileOffline).toBeLessThan(30 * MiB);
    expect(await sha256OfObject(s3, s3Config.bucket, run.result?.key as string)).toBe(run.sha256);
  });
});
