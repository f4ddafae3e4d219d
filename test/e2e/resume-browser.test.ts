// "Resume anywhere", the browser half, in a real Chromium against the reference signer and RGW:
// a reload halfway continues from the stored parts (IndexedDB + ListParts), and two tabs of the
// same origin never drive the same upload (Web Locks): the second waits and takes over.
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignerApp } from '../../server-reference/app';
import {
  listMultipartUploads,
  makeS3Client,
  type S3TestConfig,
  sha256OfObject,
  signerConfigFor,
} from '../support/s3';
import { launchChromium } from './support/browser';
import { type PageServer, servePage } from './support/page-server';

const MiB = 1024 * 1024;
const SIZE = 40 * MiB + 777; // 9 parts of 5 MiB, the last one 777 bytes
const PART_SIZE = 5 * MiB;
const s3Config: S3TestConfig = inject('s3');
let s3: S3Client;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
let server: PageServer;
let signer: string;
const apps: FastifyInstance[] = [];

interface RunState {
  status: string;
  partsCompleted: number;
  partsTotal: number;
  lockedElsewhere: boolean;
  sawLockedElsewhere: boolean;
  resumed: boolean;
  notice: string | null;
  puts: number;
  result?: { key: string; size: number; partCount: number };
  error?: { code: string; message: string };
  sha256?: string;
  records?: number;
}

async function startSigner(): Promise<string> {
  const config = signerConfigFor(s3Config, { allowedOrigins: [server.origin] });
  const app = buildSignerApp(config, { authenticate: () => 'browser-tests' });
  apps.push(app);
  return `${await app.listen({ port: 0, host: '127.0.0.1' })}${config.basePath}`;
}

async function openPage(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(server.origin);
  await page.waitForFunction(() => typeof window.begin === 'function');
  return page;
}

async function throttle(page: Page, bytesPerSecond: number): Promise<CDPSession> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 5,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
  return cdp;
}

function begin(page: Page, seed: number, name: string): Promise<void> {
  return page.evaluate((o) => window.begin(o), {
    signer,
    seed,
    size: SIZE,
    name,
    partSize: PART_SIZE,
    concurrency: 2,
  });
}

const state = (page: Page) => page.evaluate(() => ({ ...window.run })) as Promise<RunState>;

async function settled(page: Page): Promise<RunState> {
  await page.waitForFunction(() => window.run?.status === 'done' || window.run?.status === 'failed', null, {
    timeout: 90_000,
  });
  return state(page);
}

beforeAll(async () => {
  s3 = makeS3Client(s3Config);
  server = await servePage(join(__dirname, 'pages/resume-page.ts'), 'resume');
  ({ context, close: closeBrowser } = await launchChromium());
  signer = await startSigner();
});

afterAll(async () => {
  await closeBrowser?.();
  for (const app of apps) await app.close();
  await server?.close();
  s3?.destroy();
});

describe('resumable uploads in Chromium → reference signer → RGW', () => {
  it('continues after a reload at ~50 % from the stored parts, sending only what is missing', async () => {
    const page = await openPage();
    const cdp = await throttle(page, 8 * MiB);
    await begin(page, 101, 'reload.bin');
    await page.waitForFunction(
      () => {
        const run = window.run;
        return !!run && run.partsTotal > 0 && run.partsCompleted >= run.partsTotal / 2;
      },
      null,
      { timeout: 60_000 },
    );
    const before = await state(page);
    expect(before.status).toBe('uploading');
    expect(before.partsCompleted).toBeLessThan(before.partsTotal);

    await page.reload();
    await page.waitForFunction(() => typeof window.begin === 'function');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    // The user picks the file again: the page regenerates the same bytes, name and date.
    await begin(page, 101, 'reload.bin');
    const after = await settled(page);
    await cdp.detach();
    await page.close();

    expect(after.error).toBeUndefined();
    expect(after.resumed).toBe(true);
    expect(after.result).toMatchObject({ size: SIZE, partCount: before.partsTotal });
    const missing = before.partsTotal - before.partsCompleted;
    expect(after.puts).toBeGreaterThan(0);
    expect(after.puts).toBeLessThanOrEqual(missing);
    expect(after.records).toBe(0);
    const key = after.result?.key as string;
    expect(await sha256OfObject(s3, s3Config.bucket, key)).toBe(after.sha256);
    expect(await listMultipartUploads(s3, s3Config.bucket, key)).toEqual([]);
  });

  it('two tabs: one uploads, the other shows lockedElsewhere, sends nothing, and takes over when the first closes', async () => {
    const first = await openPage();
    const second = await openPage();
    await throttle(first, 4 * MiB);
    await begin(first, 202, 'tabs.bin');
    await first.waitForFunction(() => (window.run?.partsCompleted ?? 0) >= 2, null, { timeout: 60_000 });

    await begin(second, 202, 'tabs.bin');
    await second.waitForFunction(() => window.run?.lockedElsewhere === true, null, { timeout: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const waiting = await state(second);
    expect(waiting).toMatchObject({ lockedElsewhere: true, puts: 0, status: 'preparing' });
    const firstState = await state(first);
    expect(firstState.status).toBe('uploading');
    expect(firstState.puts).toBeGreaterThan(0);

    await first.close({ runBeforeUnload: false });
    const taken = await settled(second);
    await second.close();

    expect(taken.error).toBeUndefined();
    expect(taken.sawLockedElsewhere).toBe(true);
    expect(taken.lockedElsewhere).toBe(false);
    expect(taken.resumed).toBe(true);
    expect(taken.puts).toBeGreaterThan(0);
    expect(taken.puts).toBeLessThanOrEqual(firstState.partsTotal - firstState.partsCompleted);
    expect(taken.records).toBe(0);
    const key = taken.result?.key as string;
    expect(await sha256OfObject(s3, s3Config.bucket, key)).toBe(taken.sha256);
  });
});
