// "Resume anywhere", the browser half, in a real Chromium against the reference signer and RGW:
// a reload halfway continues from the stored parts (IndexedDB + ListParts), and two tabs of the
// same origin never drive the same upload (Web Locks): the second waits and takes over.
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMultipartUploads, sha256OfObject } from '../support/s3';
import { setUploadThroughput, throttleUploads } from './support/page-network';
import { type BrowserStack, startBrowserStack } from './support/stack';

const MiB = 1024 * 1024;
const SIZE = 40 * MiB + 777; // 9 parts of 5 MiB, the last one 777 bytes
const PART_SIZE = 5 * MiB;
let stack: BrowserStack;
let context: BrowserContext;
let signer: string;

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

async function openPage(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(stack.server.origin);
  await page.waitForFunction(() => typeof window.begin === 'function');
  return page;
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
  stack = await startBrowserStack(join(__dirname, 'pages/resume-page.ts'), 'resume');
  ({ context } = await stack.launchBrowser());
  signer = (await stack.startSigner()).url;
});

afterAll(async () => {
  await stack?.close();
});

describe('resumable uploads in Chromium → reference signer → RGW', () => {
  it('continues after a reload at ~50 % from the stored parts, sending only what is missing', async () => {
    const page = await openPage();
    const cdp = await throttleUploads(page, 8 * MiB);
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
    await setUploadThroughput(cdp, -1);
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
    expect(await sha256OfObject(stack.s3, stack.s3Config.bucket, key)).toBe(after.sha256);
    expect(await listMultipartUploads(stack.s3, stack.s3Config.bucket, key)).toEqual([]);
  });

  it('two tabs: one uploads, the other shows lockedElsewhere, sends nothing, and takes over when the first closes', async () => {
    const first = await openPage();
    const second = await openPage();
    await throttleUploads(first, 4 * MiB);
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
    expect(await sha256OfObject(stack.s3, stack.s3Config.bucket, key)).toBe(taken.sha256);
  });
});
