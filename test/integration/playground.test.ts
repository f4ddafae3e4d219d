// Smoke test of `npm start` (scripts/start.ts): the embedded S3 (s3rver), the reference signer and
// the Vite playground come up on the ports given in the environment; headless Chromium uploads a
// 20 MiB file through the page, then pauses a 96 MiB one, reloads and resumes it; each object read
// back from s3rver has the file's SHA-256; Ctrl-C
// (SIGINT to the process group, as a terminal sends it) stops everything and frees the ports.
//
// s3rver is a loose mock: this proves the playground wiring, not S3 behaviour (the RGW tests do).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MiB = 1024 * 1024;
const START_TIMEOUT_MS = 60_000;
const UPLOAD_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;
/** Text the page shows once the upload is done ("Upload complete", "Completed", "Done", "Uploaded"). */
const COMPLETED_TEXT = /\b(upload(ed)?\s+complete|completed|done|uploaded)\b/i;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** Is any process of this process group still alive? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function sha256OfObject(client: S3Client, bucket: string, key: string): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) throw new Error(`GetObject ${key} returned no body`);
  return createHash('sha256')
    .update(await out.Body.transformToByteArray())
    .digest('hex');
}

/** A client for the playground's s3rver (it checks only the access key id). */
function playgroundS3(endpoint: string): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function waitForText(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text, with the separators between elements that textContent lacks
    text = await page.locator('body').innerText();
    const match = pattern.exec(text);
    if (match) return match[0];
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The page never showed ${pattern} within ${timeoutMs} ms. Page text:\n${text}`);
}

describe('npm start (playground)', () => {
  const tmp = join(ROOT, '.tmp', `playground-${process.pid}-${randomBytes(3).toString('hex')}`);
  const dataDir = join(tmp, 'data');
  const filesDir = join(tmp, 'files');
  let child: ChildProcess | undefined;
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  let browser: Browser | undefined;
  let output = '';
  const ports = { page: 0, s3: 0, signer: 0 };
  let pageUrl = '';
  let s3Endpoint = '';

  beforeAll(async () => {
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(filesDir, { recursive: true });
    ports.page = await freePort();
    ports.s3 = await freePort();
    ports.signer = await freePort();
    // Its own process group (detached), so SIGINT can reach npm, sh, tsx and node as Ctrl-C does.
    child = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(ports.page),
        S3_PORT: String(ports.s3),
        SIGNER_PORT: String(ports.signer),
        PLAYGROUND_DATA_DIR: dataDir,
        NO_COLOR: '1',
      },
    });
    const started = child;
    exit = new Promise((done) => started.once('exit', (code, signal) => done({ code, signal })));
    started.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });

    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!/Ctrl-C to stop/.test(output)) {
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(`npm start exited before it was ready:\n${output}`);
      }
      if (Date.now() > deadline)
        throw new Error(`npm start was not ready in ${START_TIMEOUT_MS} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    pageUrl = /Playground:\s+(http:\/\/\S+)/.exec(output)?.[1] ?? '';
    s3Endpoint = /S3 endpoint:\s+(http:\/\/\S+)/.exec(output)?.[1] ?? '';

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    const pid = child?.pid;
    if (pid !== undefined && groupAlive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it('prints the URLs on the ports it was given', () => {
    expect(pageUrl).toBe(`http://127.0.0.1:${ports.page}/`);
    expect(s3Endpoint).toBe(`http://127.0.0.1:${ports.s3}`);
    expect(output).toContain(`http://127.0.0.1:${ports.signer}/api/uploads`);
    expect(output).toContain(dataDir);
  });

  it('uploads a 20 MiB file from the page to s3rver, byte for byte', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(pageUrl);

    const bytes = randomBytes(20 * MiB);
    const expected = createHash('sha256').update(bytes).digest('hex');
    // A file on disk, not a buffer: Playwright would send a buffer base64-encoded over CDP (slow).
    const file = join(filesDir, 'smoke.bin');
    writeFileSync(file, bytes);
    // Prefer the visible control (a "choose files" button opening the picker); else the file input.
    const input = page.locator('input[type="file"]').first();
    await input.waitFor({ state: 'attached', timeout: 30_000 });
    const chooseButton = page.getByRole('button', { name: /choose files?|select files?|browse/i }).first();
    if ((await chooseButton.count()) > 0) {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), chooseButton.click()]);
      await chooser.setFiles(file);
    } else {
      await input.setInputFiles(file);
    }

    // Some UIs start on selection, others wait for a click.
    const startButton = page.getByRole('button', { name: /^(start( upload)?|upload)\b/i }).first();
    if ((await startButton.count()) > 0 && (await startButton.isEnabled())) await startButton.click();

    await waitForText(page, COMPLETED_TEXT, UPLOAD_TIMEOUT_MS);
    expect(pageErrors).toEqual([]);

    const s3 = playgroundS3(s3Endpoint);
    try {
      // The text may show before Complete has written the object (or match too early): wait for it.
      const deadline = Date.now() + 30_000;
      let objects: { Key?: string; Size?: number }[] = [];
      for (;;) {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'playground' }));
        objects = listed.Contents ?? [];
        if (objects.some((o) => o.Size === bytes.length) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(objects).toHaveLength(1);
      const key = objects[0]?.Key as string;
      expect(key).toMatch(/smoke\.bin$/);
      expect(objects[0]?.Size).toBe(bytes.length);
      expect(await sha256OfObject(s3, 'playground', key)).toBe(expected);
    } finally {
      s3.destroy();
    }
    await page.close();
  });

  it('pauses a 96 MiB upload, survives a page reload, and resumes without re-sending stored parts', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Part PUTs S3 acknowledged (part number → when), before and after the reload.
    const stored = { before: new Map<number, number>(), after: [] as number[] };
    let reloaded = false;
    page.on('response', (response) => {
      const url = new URL(response.url());
      const part = url.searchParams.get('partNumber');
      if (response.request().method() !== 'PUT' || !part || response.status() !== 200) return;
      if (reloaded) stored.after.push(Number(part));
      else if (!stored.before.has(Number(part))) stored.before.set(Number(part), Date.now());
    });
    // Slow enough (24 MiB/s) to pause part way.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 24 * MiB,
    });
    await page.goto(pageUrl);

    const bytes = randomBytes(96 * MiB);
    const expected = createHash('sha256').update(bytes).digest('hex');
    const file = join(filesDir, 'resume.bin');
    writeFileSync(file, bytes);
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page
        .getByRole('button', { name: /choose files?/i })
        .first()
        .click(),
    ]);
    await chooser.setFiles(file);

    const bar = page.getByRole('progressbar', { name: 'Upload of resume.bin' });
    const deadline = Date.now() + UPLOAD_TIMEOUT_MS;
    // A part S3 acknowledged just as the pause aborted its request is unknown to the page, which
    // rightly sends it again: only parts acknowledged well before the pause must not be re-sent.
    const SETTLED_MS = 300;
    const settledBefore = (at: number) => [...stored.before].filter(([, t]) => t <= at - SETTLED_MS);
    // Part way, with a part on S3 for a while (6 parts in flight share the link, so 30 % may come
    // before any ends).
    while (
      Number((await bar.getAttribute('aria-valuenow')) ?? 0) < 30 ||
      settledBefore(Date.now()).length === 0
    ) {
      if (Date.now() > deadline) throw new Error('the upload never reached 30 % with a part stored');
      await new Promise((r) => setTimeout(r, 100));
    }
    const pausedAt = Date.now();
    await page.getByRole('button', { name: 'Pause resume.bin' }).click();
    await waitForText(page, /\bPaused\b/, 10_000);
    await new Promise((r) => setTimeout(r, 500)); // the record's batched write on pause
    expect(stored.before.size).toBeGreaterThan(0);
    expect(stored.before.size).toBeLessThan(12); // 96 MiB in 8 MiB parts

    reloaded = true;
    await page.reload();
    // Automated Chromium keeps no file handle: the prompt asks for the file again.
    const [again] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Choose file again: resume.bin' }).click(),
    ]);
    await again.setFiles(file);
    // The item's own status (the prompt's text may say "uploaded" before).
    await page.getByText('Uploaded', { exact: true }).waitFor({ timeout: UPLOAD_TIMEOUT_MS });
    // s3rver cannot list parts: the signer says so at once and the parts recorded locally are kept.
    // biome-ignore lint/performance/useDomNodeTextContent: rendered text, as in waitForText
    expect(await page.locator('body').innerText()).toMatch(/recorded locally/);
    expect(pageErrors).toEqual([]);
    const settled = settledBefore(pausedAt).map(([part]) => part);
    expect(settled.length).toBeGreaterThan(0);
    expect(stored.after.filter((n) => settled.includes(n))).toEqual([]);
    expect(new Set([...stored.before.keys(), ...stored.after]).size).toBe(12);

    const s3 = playgroundS3(s3Endpoint);
    try {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'playground' }));
      const key = listed.Contents?.find((o) => o.Key?.endsWith('resume.bin'))?.Key;
      expect(key).toBeDefined();
      expect(await sha256OfObject(s3, 'playground', key as string)).toBe(expected);
    } finally {
      s3.destroy();
    }
    await page.close();
  });

  it('stops everything on Ctrl-C and frees its ports', async () => {
    const pid = child?.pid;
    if (pid === undefined || !exit) throw new Error('npm start is not running');
    await browser?.close();
    browser = undefined;

    process.kill(-pid, 'SIGINT');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS));
    const result = await Promise.race([exit, timeout]);
    expect(result, `still running ${STOP_TIMEOUT_MS} ms after SIGINT:\n${output}`).not.toBe('timeout');
    // The script exits 0 ("Stopped."); npm then re-raises the SIGINT it received on itself, as it
    // always does after Ctrl-C, so npm's own status is either 0 or the signal.
    expect(result).toSatisfy(
      (r: { code: number | null; signal: string | null }) => r.code === 0 || r.signal === 'SIGINT',
    );
    expect(output).toContain('Stopped.');
    expect(output).not.toMatch(/exiting anyway|Could not close/);

    // Nothing of the group may linger, and every port is free.
    const deadline = Date.now() + 2000;
    while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(groupAlive(pid)).toBe(false);
    for (const port of [ports.page, ports.s3, ports.signer]) {
      expect(await isListening(port), `port ${port} still open`).toBe(false);
    }
  });
});
