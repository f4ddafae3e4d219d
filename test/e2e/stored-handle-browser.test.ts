// Resume after a reload through a stored file handle (File System Access API), in a real
// Chromium against the reference signer and Ceph RGW: <S3Uploader/> opens the file through
// showOpenFilePicker, keeps its FileSystemFileHandle in the upload's IndexedDB record, and after
// a reload at ~50 % the "unfinished uploads" prompt resumes it with one click (a permission check,
// no picking), sending only the parts S3 does not have.
//
// The one seam: headless Chromium cannot show the native picker, so window.showOpenFilePicker is
// replaced by a function that returns a real FileSystemFileHandle of a file written into the
// Origin Private File System. Everything past that call is the browser's own: the handle is
// structured-cloned into IndexedDB, survives the reload, answers queryPermission and getFile;
// the uploader, hooks, engine, signer and S3 are the real ones.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listMultipartUploads, sha256Hex, sha256OfObject } from '../support/s3';
import type { UploaderLog } from './pages/uploader-log';
import { PartPhases, resentParts, setUploadThroughput, throttleUploads } from './support/page-network';
import { type BrowserStack, partNumbersOnS3, startBrowserStack, type TestSigner } from './support/stack';
import { step, trackSteps } from './support/step-log';

const MiB = 1024 * 1024;
const PART_SIZE = 5 * MiB;
const CONCURRENCY = 2;
const SIZE = 40 * MiB + 777; // 9 parts of 5 MiB, the last one 777 bytes
const PARTS_TOTAL = Math.ceil(SIZE / PART_SIZE);
const NAME = 'stored-handle.bin';
const FIXTURE_PATH = `/fixtures/${NAME}`;

let stack: BrowserStack;
let bytes: Buffer;

/**
 * Replaces showOpenFilePicker in every document of the page (the reloaded one too) with a
 * function that reports the call and returns the OPFS file's handle, as the native picker would.
 */
async function installPicker(page: Page, onPick: () => void): Promise<void> {
  await page.exposeFunction('reportFilePicked', onPick);
  await page.addInitScript((name) => {
    const target = window as unknown as {
      showOpenFilePicker: () => Promise<FileSystemFileHandle[]>;
      reportFilePicked: () => Promise<void>;
    };
    target.showOpenFilePicker = async () => {
      await target.reportFilePicked();
      const root = await navigator.storage.getDirectory();
      return [await root.getFileHandle(name)];
    };
  }, NAME);
}

/** Writes the fixture (fetched from the page server) into the page origin's private file system. */
function writeIntoOpfs(page: Page): Promise<number> {
  return page.evaluate(
    async ({ url, name }) => {
      const body = await (await fetch(url)).blob();
      const root = await navigator.storage.getDirectory();
      const handle = await root.getFileHandle(name, { create: true });
      const writable = await handle.createWritable();
      await writable.write(body);
      await writable.close();
      return (await handle.getFile()).size;
    },
    { url: FIXTURE_PATH, name: NAME },
  );
}

/** The records in the uploader's IndexedDB store, and whether each holds a real file handle. */
function storedRecords(page: Page): Promise<{ name: string; handle: string; handleName: string | null }[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('s3-multipart-uploader');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      if (!db.objectStoreNames.contains('uploads')) return [];
      const records = await new Promise<{ name: string; handle?: unknown }[]>((resolve, reject) => {
        const request = db.transaction('uploads').objectStore('uploads').getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      return records.map((r) => ({
        name: r.name,
        handle: r.handle instanceof FileSystemFileHandle ? 'FileSystemFileHandle' : typeof r.handle,
        handleName: r.handle instanceof FileSystemFileHandle ? r.handle.name : null,
      }));
    } finally {
      db.close();
    }
  });
}

async function openUploader(page: Page, signer: TestSigner): Promise<void> {
  step('open the uploader page');
  const query = new URLSearchParams({
    signer: signer.url,
    token: signer.token as string,
    partSize: String(PART_SIZE),
    concurrency: String(CONCURRENCY),
    // Off by default under automation (navigator.webdriver), on by default for people.
    fileSystemAccess: '1',
  });
  await page.goto(`${stack.server.origin}/?${query}`);
  await page.waitForSelector('.s3u-dropzone');
}

/**
 * Waits until the upload is announced as uploaded, or the prompt or the item shows a problem
 * (a handle that could not be reopened, a failed upload): null when there was none.
 */
async function settled(page: Page): Promise<{ problem: string | null; error: string | null }> {
  step(`wait for "${NAME} uploaded." or a problem`);
  const outcome = await page.waitForFunction(
    (name) => {
      const problem = document.querySelector('.s3u-resume-problem')?.textContent ?? null;
      const error = document.querySelector('.s3u-item-error')?.textContent ?? null;
      if (problem !== null || error !== null) return { problem, error };
      const live = document.querySelector('[role="status"][aria-live="polite"]')?.textContent ?? '';
      return live.includes(`${name} uploaded.`) ? { problem, error } : false;
    },
    NAME,
    { timeout: 90_000 },
  );
  return (await outcome.jsonValue()) as { problem: string | null; error: string | null };
}

beforeAll(async () => {
  stack = await startBrowserStack(join(__dirname, 'pages/uploader-page.tsx'), 'Uploader');
  bytes = randomBytes(SIZE);
  stack.server.serveFile(FIXTURE_PATH, bytes);
});

beforeEach((context) => {
  trackSteps(context);
});

afterAll(async () => {
  await stack?.close();
});

describe('<S3Uploader/> with a stored file handle in Chromium → reference signer → RGW', () => {
  it('reload at ~50 %, then one click on Resume continues from the stored handle without picking again', async () => {
    const signer = await stack.startSigner({ bearerToken: true });
    const { context } = await stack.launchBrowser();
    const page = await context.newPage();

    let picks = 0;
    await installPicker(page, () => {
      picks += 1;
    });
    // Any fallback to the <input type=file> (picking again) would show up here.
    const fileChoosers: string[] = [];
    page.on('filechooser', () => fileChoosers.push('filechooser'));

    const parts = new PartPhases(page);
    let created: { key: string; uploadId: string } | undefined;
    let reloaded = false;
    const signerCalls: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().startsWith(signer.url))
        signerCalls.push(`${reloaded ? 'after' : 'before'} ${request.url().slice(signer.url.length)}`);
    });
    page.on('response', async (response) => {
      if (response.request().method() === 'POST' && response.url() === `${signer.url}/multipart`)
        created = (await response.json()) as { key: string; uploadId: string };
    });

    await openUploader(page, signer);
    step('write the file into the origin private file system');
    expect(await writeIntoOpfs(page)).toBe(SIZE);

    const cdp = await throttleUploads(page, 8 * MiB);
    step('click the drop zone: the (replaced) picker hands over the OPFS handle');
    await page.getByRole('button', { name: 'Drop files here or choose files' }).click();
    step('wait for 50 %');
    await page.waitForFunction(
      () => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) >= 50,
      null,
      { timeout: 60_000 },
    );
    expect(await page.evaluate(() => document.querySelector<HTMLElement>('.s3u-item')?.dataset.status)).toBe(
      'uploading',
    );
    expect(picks).toBe(1);

    step('reload');
    const before = parts.next();
    reloaded = true;
    await page.reload();
    await setUploadThroughput(cdp, -1);
    await cdp.detach();

    step('wait for the unfinished-uploads prompt');
    const resume = page.getByRole('button', { name: `Resume the upload of ${NAME}` });
    await resume.waitFor({ timeout: 20_000 });
    expect(await page.locator('.s3u-resume-title').textContent()).toBe('You have 1 unfinished upload');
    expect(await page.locator('[data-action="choose-again"]').count()).toBe(0);
    // The handle came back out of IndexedDB after the reload as a real FileSystemFileHandle.
    expect(await storedRecords(page)).toEqual([
      { name: NAME, handle: 'FileSystemFileHandle', handleName: NAME },
    ]);

    expect(created).toBeDefined();
    const ref = created as { key: string; uploadId: string };
    const onS3 = await partNumbersOnS3(stack, ref);
    expect(onS3.size).toBeGreaterThanOrEqual(3);
    expect(onS3.size).toBeLessThan(PARTS_TOTAL);
    expect(parts.current.puts).toBe(0);

    step('click Resume');
    await resume.click();
    expect(await settled(page)).toEqual({ problem: null, error: null });

    // No picking again: neither the picker nor the file input was opened after the reload.
    expect(picks).toBe(1);
    expect(fileChoosers).toEqual([]);
    const log = (await page.evaluate(() => window.uploader)) as UploaderLog;
    expect(log.failed).toEqual([]);
    expect(log.completed).toEqual([
      { name: NAME, key: ref.key, size: SIZE, partCount: PARTS_TOTAL, uploadId: ref.uploadId },
    ]);
    // The same multipart upload continued (found through the record, not created again).
    expect(signerCalls.filter((c) => c === 'after /multipart')).toEqual([]);
    expect(signerCalls.filter((c) => c === 'before /multipart')).toHaveLength(1);

    // Only what S3 lacked went again; of the parts sent before the reload, only those in flight.
    const after = parts.current;
    expect(after.sent.size).toBeGreaterThan(0);
    expect(after.sent.size).toBeLessThanOrEqual(PARTS_TOTAL - onS3.size);
    expect(after.puts).toBeLessThanOrEqual(PARTS_TOTAL - onS3.size + CONCURRENCY);
    const { inFlight, resent, resentThoughOnS3 } = resentParts(before, after, onS3);
    expect(resentThoughOnS3).toEqual([]);
    expect(resent.filter((n) => !inFlight.includes(n))).toEqual([]);
    expect(inFlight.length).toBeLessThanOrEqual(CONCURRENCY);

    expect(await sha256OfObject(stack.s3, stack.s3Config.bucket, ref.key)).toBe(sha256Hex(bytes));
    expect(await listMultipartUploads(stack.s3, stack.s3Config.bucket, ref.key)).toEqual([]);
    step('wait for the record to go');
    await page.waitForFunction(() => !document.querySelector('.s3u-resume'), null, { timeout: 10_000 });
    await expect.poll(() => storedRecords(page), { timeout: 10_000 }).toEqual([]);
  });
});
