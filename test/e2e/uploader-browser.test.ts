// <S3Uploader/> in a real Chromium against the reference signer (bearer tokens) and Ceph RGW,
// driven like a person would: the mouse and the keyboard open the file chooser, Pause/Resume
// are pressed from the keyboard, a reload at ~50 % is resumed from the "unfinished uploads" prompt
// by picking the file again, an upload started in one browser is finished in another one
// (fresh profile, nothing stored locally: the signer finds it on S3), a bucket whose CORS hides
// ETag gets its actionable error on screen and in the live region, and axe finds nothing to
// report in the idle, uploading, paused, completed and failed states.
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBucket, listMultipartUploads, sha256OfObject } from '../support/s3';
import type { UploaderLog } from './pages/uploader-log';
import type { LaunchedChromium } from './support/browser';
import {
  PartPhases,
  recordPartPuts,
  resentParts,
  setUploadThroughput,
  throttleUploads,
} from './support/page-network';
import { type BrowserStack, partNumbersOnS3, startBrowserStack, type TestSigner } from './support/stack';
import { step, trackSteps } from './support/step-log';

const MiB = 1024 * 1024;
const PART_SIZE = 5 * MiB;
const NO_ETAG_BUCKET = 'ui-no-etag';
const DROP_ZONE = 'Drop files here or choose files';
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let stack: BrowserStack;
let fixtures: string;

interface Fixture {
  path: string;
  name: string;
  size: number;
  sha256: string;
}

/**
 * A file on disk with deterministic bytes (AES-CTR keystream of the seed) and a fixed date: every
 * browser that picks it sees the same name, size, lastModified and content, hence the same
 * fingerprint (Chromium reads picked paths from disk, lastModified is the file's mtime).
 */
async function fixture(name: string, size: number, seed: number): Promise<Fixture> {
  const key = createHash('sha256').update(`uploader-browser:${seed}`).digest().subarray(0, 16);
  const bytes = createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
  const path = join(fixtures, name);
  await writeFile(path, bytes);
  const date = new Date(1_700_000_000_000 + seed * 1000);
  await utimes(path, date, date);
  return { path, name, size, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** A reference signer for `bucket` with one bearer token for a fresh owner. */
function startSigner(bucket?: string): Promise<TestSigner> {
  return stack.startSigner({ bearerToken: true, ...(bucket ? { bucket } : {}) });
}

/** A new Chromium with a fresh profile (empty IndexedDB, localStorage, locks). */
function newBrowser(): Promise<LaunchedChromium> {
  step('launch Chromium');
  return stack.launchBrowser();
}

async function openUploader(context: BrowserContext, signer: TestSigner): Promise<Page> {
  step('open the uploader page');
  const page = await context.newPage();
  // Playwright turns file chooser interception on when the first listener is added, without
  // waiting for Chromium to confirm it: a key press right after waitForEvent('filechooser') can
  // beat it (seen with network emulation on) and the chooser is then cancelled. A listener for
  // the page's lifetime keeps interception on from the start.
  page.on('filechooser', () => {});
  const query = new URLSearchParams({
    signer: signer.url,
    token: signer.token as string,
    partSize: String(PART_SIZE),
    concurrency: '2',
  });
  await page.goto(`${stack.server.origin}/?${query}`);
  await page.waitForSelector('.s3u-dropzone');
  return page;
}

function throttle(page: Page, uploadBytesPerSecond: number): Promise<CDPSession> {
  step(`upload throughput ${uploadBytesPerSecond} B/s`);
  return throttleUploads(page, uploadBytesPerSecond);
}

function unthrottle(cdp: CDPSession): Promise<void> {
  step('upload throughput unlimited');
  return setUploadThroughput(cdp, -1);
}

function press(page: Page, key: string): Promise<void> {
  step(`press ${key}`);
  return page.keyboard.press(key);
}

/** Clicks the drop zone with the mouse and picks `file` in the chooser that opens. */
async function pickWithMouse(page: Page, file: Fixture): Promise<void> {
  step(`pick ${file.name} with the mouse`);
  const chooser = page.waitForEvent('filechooser', { timeout: 10_000 });
  await page.getByRole('button', { name: DROP_ZONE }).click();
  await (await chooser).setFiles(file.path);
}

const log = (page: Page) => page.evaluate(() => window.uploader) as Promise<UploaderLog>;

/** The status of the (only) upload item: `data-status` and the visible status text. */
const itemStatus = (page: Page) =>
  page.evaluate(() => {
    const item = document.querySelector<HTMLElement>('.s3u-item');
    return {
      status: item?.dataset.status,
      text: item?.querySelector('.s3u-item-status')?.textContent ?? null,
    };
  });

function waitForStatus(page: Page, statuses: string[], timeout = 60_000): Promise<unknown> {
  step(`wait for status ${statuses.join('|')}`);
  return page.waitForFunction(
    (wanted) => wanted.includes(document.querySelector<HTMLElement>('.s3u-item')?.dataset.status ?? ''),
    statuses,
    { timeout },
  );
}

function waitForAnnouncement(page: Page, text: string, timeout = 90_000): Promise<unknown> {
  step(`wait for the announcement "${text}"`);
  return page.waitForFunction(
    (t) => document.querySelector('[role="status"][aria-live="polite"]')?.textContent?.includes(t),
    text,
    { timeout },
  );
}

const progress = (page: Page) =>
  page.evaluate(() => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')));

/** What the focused element is: its action and accessible name. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName.toLowerCase(),
      className: el?.className ?? '',
      action: el?.dataset.action ?? null,
      label: el?.getAttribute('aria-label') ?? el?.textContent ?? null,
    };
  });

/** axe-core run on the whole page, in the real browser (so color-contrast sees the real layout). */
async function axeViolations(page: Page): Promise<string[]> {
  step('axe');
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  const run = page.evaluate(async () => {
    const { axe } = window as unknown as { axe: typeof import('axe-core') };
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.flatMap((v) =>
      v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
    );
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('axe.run did not finish within 30 s')), 30_000);
  });
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function expectStoredObject(
  page: Page,
  file: Fixture,
  bucket = stack.s3Config.bucket,
): Promise<string> {
  const { completed, failed } = await log(page);
  expect(failed).toEqual([]);
  expect(completed).toHaveLength(1);
  const done = completed[0] as UploaderLog['completed'][number];
  expect(done).toMatchObject({ name: file.name, size: file.size });
  expect(await sha256OfObject(stack.s3, bucket, done.key)).toBe(file.sha256);
  expect(await listMultipartUploads(stack.s3, bucket, done.key)).toEqual([]);
  return done.key;
}

beforeAll(async () => {
  stack = await startBrowserStack(join(__dirname, 'pages/uploader-page.tsx'), 'Uploader');
  await ensureBucket(stack.s3, NO_ETAG_BUCKET, { exposeEtag: false });
  fixtures = await mkdtemp(join(tmpdir(), 's3mu-uploader-e2e-'));
});

beforeEach((context) => {
  trackSteps(context);
});

afterEach(async () => {
  await stack.closeBrowsers();
});

afterAll(async () => {
  await stack?.close();
  if (fixtures) await rm(fixtures, { recursive: true, force: true });
});

describe('<S3Uploader/> in Chromium → reference signer → RGW', () => {
  it('mouse: the drop zone opens the file chooser, the upload completes byte-identical and is announced', async () => {
    const file = await fixture('mouse.bin', 20 * MiB + 123, 1);
    const signer = await startSigner();
    const { context } = await newBrowser();
    const page = await openUploader(context, signer);

    await pickWithMouse(page, file);
    await waitForAnnouncement(page, `${file.name} uploaded.`);

    expect(await itemStatus(page)).toEqual({ status: 'completed', text: 'Uploaded' });
    expect(await progress(page)).toBe(100);
    const key = await expectStoredObject(page, file);
    expect(key.startsWith(`uploads/${signer.owner}/`)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('keyboard only: Tab + Enter pick the file, Space pauses and resumes with focus kept on the button', async () => {
    const file = await fixture('keyboard.bin', 20 * MiB + 321, 2);
    const signer = await startSigner();
    const { context } = await newBrowser();
    const page = await openUploader(context, signer);
    const puts = recordPartPuts(page);
    const cdp = await throttle(page, 3 * MiB);

    await press(page, 'Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', label: DROP_ZONE });
    const chooser = page.waitForEvent('filechooser', { timeout: 10_000 });
    await press(page, 'Enter');
    await (await chooser).setFiles(file.path);

    await waitForStatus(page, ['uploading']);
    await page.waitForFunction(
      () => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) > 0,
      null,
      { timeout: 10_000 },
    );
    await press(page, 'Tab');
    expect(await focused(page)).toEqual({
      tag: 'button',
      className: 's3u-button',
      action: 'pause',
      label: `Pause ${file.name}`,
    });
    await page.evaluate(() => {
      (window as unknown as { pressed: Element | null }).pressed = document.activeElement;
    });
    const samePressedButton = () =>
      page.evaluate(() => document.activeElement === (window as unknown as { pressed: Element }).pressed);

    await press(page, 'Space');
    await waitForStatus(page, ['paused'], 10_000);
    expect(await itemStatus(page)).toEqual({ status: 'paused', text: 'Paused' });
    expect(await samePressedButton()).toBe(true);
    expect(await focused(page)).toMatchObject({ action: 'resume', label: `Resume ${file.name}` });
    // Paused means paused: no part is sent and the bar stands still.
    const putsWhenPaused = puts.length;
    const percentWhenPaused = await progress(page);
    expect(percentWhenPaused).toBeLessThan(100);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(puts.length).toBe(putsWhenPaused);
    expect(await progress(page)).toBe(percentWhenPaused);
    expect(await axeViolations(page)).toEqual([]);

    await press(page, 'Space');
    await waitForStatus(page, ['uploading', 'completing', 'completed'], 10_000);
    expect(await samePressedButton()).toBe(true);
    expect(await focused(page)).toMatchObject({ action: 'pause', label: `Pause ${file.name}` });
    await unthrottle(cdp);
    await waitForAnnouncement(page, `${file.name} uploaded.`);
    await cdp.detach();

    expect(await itemStatus(page)).toEqual({ status: 'completed', text: 'Uploaded' });
    // The focused Pause button went away on completion: focus moved to Remove, not to the page.
    expect(await focused(page)).toMatchObject({ action: 'remove', label: `Remove ${file.name}` });
    expect(puts.length).toBeGreaterThan(putsWhenPaused);
    await expectStoredObject(page, file);
  });

  it('reload at ~50 %: the prompt asks for the file again, and the same file picked continues the upload', async () => {
    const file = await fixture('reload.bin', 40 * MiB + 777, 6); // 9 parts of 5 MiB
    const partsTotal = Math.ceil(file.size / PART_SIZE);
    const signer = await startSigner();
    const { context } = await newBrowser();
    const page = await openUploader(context, signer);
    const parts = new PartPhases(page);
    let created: { key: string; uploadId: string } | undefined;
    page.on('response', async (response) => {
      if (response.request().method() === 'POST' && response.url() === `${signer.url}/multipart`) {
        created = (await response.json()) as { key: string; uploadId: string };
      }
    });
    const cdp = await throttle(page, 8 * MiB);
    await pickWithMouse(page, file);
    step('wait for 50 %');
    await page.waitForFunction(
      () => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) >= 50,
      null,
      { timeout: 60_000 },
    );
    expect((await itemStatus(page)).status).toBe('uploading');

    step('reload');
    const before = parts.next();
    await page.reload();
    await unthrottle(cdp);
    await cdp.detach();
    const chooseAgain = page.getByRole('button', { name: `Choose file again: ${file.name}` });
    step('wait for the unfinished-uploads prompt');
    await chooseAgain.waitFor({ timeout: 20_000 });
    expect(await page.locator('.s3u-resume-title').textContent()).toBe('You have 1 unfinished upload');
    expect(created).toBeDefined();
    const ref = created as { key: string; uploadId: string };
    const onS3 = await partNumbersOnS3(stack, ref);
    expect(onS3.size).toBeGreaterThanOrEqual(3);
    expect(onS3.size).toBeLessThan(partsTotal);
    expect(parts.current.puts).toBe(0);

    step('choose the file again');
    const chooser = page.waitForEvent('filechooser', { timeout: 10_000 });
    await chooseAgain.click();
    await (await chooser).setFiles(file.path);
    await waitForAnnouncement(page, `${file.name} uploaded.`);

    const key = await expectStoredObject(page, file);
    expect(key).toBe(ref.key);
    expect((await log(page)).completed[0]).toMatchObject({ uploadId: ref.uploadId, partCount: partsTotal });
    // Only what S3 lacked went again; of the parts sent before the reload, only those in flight.
    const after = parts.current;
    expect(after.sent.size).toBeGreaterThan(0);
    expect(after.sent.size).toBeLessThanOrEqual(partsTotal - onS3.size);
    const { inFlight, resent, resentThoughOnS3 } = resentParts(before, after, onS3);
    expect(resentThoughOnS3).toEqual([]);
    expect(resent.filter((n) => !inFlight.includes(n))).toEqual([]);
    expect(inFlight.length).toBeLessThanOrEqual(2);
    step('wait for the prompt to go');
    await page.waitForFunction(() => !document.querySelector('.s3u-resume'), null, { timeout: 10_000 });
  });

  it('another browser (fresh profile, nothing stored) continues from the parts already on S3', async () => {
    const file = await fixture('other-browser.bin', 40 * MiB + 777, 3); // 9 parts of 5 MiB
    const partsTotal = Math.ceil(file.size / PART_SIZE);
    const signer = await startSigner();

    // Browser A: throttled, closed once half of the bytes are up.
    const a = await newBrowser();
    const pageA = await openUploader(a.context, signer);
    let created: { key: string; uploadId: string } | undefined;
    pageA.on('response', async (response) => {
      if (response.request().method() === 'POST' && response.url() === `${signer.url}/multipart`) {
        created = (await response.json()) as { key: string; uploadId: string };
      }
    });
    const putsA = recordPartPuts(pageA);
    await throttle(pageA, 8 * MiB);
    await pickWithMouse(pageA, file);
    step('wait for 50 % in browser A');
    await pageA.waitForFunction(
      () => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) >= 50,
      null,
      { timeout: 60_000 },
    );
    expect((await itemStatus(pageA)).status).toBe('uploading');
    step('close browser A');
    await a.close();
    expect(created).toBeDefined();
    const ref = created as { key: string; uploadId: string };

    const onS3 = await partNumbersOnS3(stack, ref);
    const missing = partsTotal - onS3.size;
    expect(onS3.size).toBeGreaterThanOrEqual(3);
    expect(missing).toBeGreaterThan(0);
    expect(putsA.length).toBeGreaterThanOrEqual(onS3.size);

    // Browser B: a brand-new profile; the same file picked again.
    const b = await newBrowser();
    const pageB = await openUploader(b.context, signer);
    const signerCalls: string[] = [];
    pageB.on('request', (request) => {
      if (request.url().startsWith(signer.url) && request.method() === 'POST') {
        signerCalls.push(request.url().slice(signer.url.length));
      }
    });
    const putsB = recordPartPuts(pageB);
    // Nothing stored locally: no "unfinished uploads" prompt.
    expect(await pageB.locator('.s3u-resume').count()).toBe(0);
    await pickWithMouse(pageB, file);
    await waitForAnnouncement(pageB, `${file.name} uploaded.`);

    const key = await expectStoredObject(pageB, file);
    const done = (await log(pageB)).completed[0];
    expect(key).toBe(ref.key);
    expect(done).toMatchObject({ uploadId: ref.uploadId, partCount: partsTotal });
    expect(signerCalls).toContain('/multipart/find');
    expect(signerCalls).not.toContain('/multipart');
    // Only the missing parts are sent: none of those on S3, each once (a retry of one that was
    // in flight at most: 2 at a time).
    const sentB = new Set(putsB);
    expect(sentB.size).toBeGreaterThan(0);
    expect(sentB.size).toBeLessThanOrEqual(missing);
    expect([...sentB].filter((n) => onS3.has(n))).toEqual([]);
    expect(putsB.length).toBeLessThanOrEqual(missing + 2);
  });

  it('a bucket whose CORS hides ETag: the item shows the ExposeHeaders fix and the live region announces it', async () => {
    const file = await fixture('etag-hidden.bin', 12 * MiB, 4);
    const signer = await startSigner(NO_ETAG_BUCKET);
    const { context } = await newBrowser();
    const page = await openUploader(context, signer);

    await pickWithMouse(page, file);
    await waitForStatus(page, ['error'], 30_000);
    await waitForAnnouncement(page, `${file.name} failed:`, 10_000);

    const { failed, completed } = await log(page);
    expect(completed).toEqual([]);
    expect(failed).toHaveLength(1);
    const error = failed[0] as UploaderLog['failed'][number];
    expect(error.code).toBe('ETAG_NOT_EXPOSED');
    expect(error.message).toMatch(/ExposeHeaders/);
    const shown = await page.evaluate(() => ({
      status: document.querySelector('.s3u-item-status')?.textContent,
      error: document.querySelector('.s3u-item-error')?.textContent,
      live: document.querySelector('[role="status"]')?.textContent,
      actions: [...document.querySelectorAll('.s3u-item .s3u-button')].map((b) =>
        b.getAttribute('aria-label'),
      ),
    }));
    expect(shown.status).toBe('Failed');
    expect(shown.error).toBe(error.message);
    expect(shown.live).toContain(`${file.name} failed: ${error.message}`);
    expect(shown.actions).toEqual([`Retry ${file.name}`, `Cancel ${file.name}`]);
  });

  it('axe reports no violations when idle, uploading and failed', async () => {
    const file = await fixture('axe.bin', 12 * MiB, 5);
    const signer = await startSigner(NO_ETAG_BUCKET);
    const { context } = await newBrowser();
    const page = await openUploader(context, signer);

    expect(await axeViolations(page)).toEqual([]);

    const cdp = await throttle(page, 1 * MiB);
    await pickWithMouse(page, file);
    await waitForStatus(page, ['uploading'], 10_000);
    await page.waitForFunction(
      () => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) > 0,
      null,
      { timeout: 10_000 },
    );
    expect((await itemStatus(page)).status).toBe('uploading');
    expect(await axeViolations(page)).toEqual([]);

    await unthrottle(cdp);
    await waitForStatus(page, ['error'], 30_000);
    await cdp.detach();
    expect(await axeViolations(page)).toEqual([]);
  });
});
