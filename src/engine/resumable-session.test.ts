import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeS3, randomBytes } from '../../test/support/fake-s3';
import { httpLikeSigner } from '../../test/support/resume-helpers';
import { gatedTransport, tabLocks } from '../../test/support/session-helpers';
import { ConcurrencyPool } from './concurrency-pool';
import { fingerprintFile } from './fingerprint';
import {
  createResumableSession,
  type ResumableSession,
  type SessionResumeOptions,
} from './resumable-session';
import { onResumableUploadsChanged, type ResumableUploadsChange } from './resume-events';
import { DexieResumeStore } from './store/dexie-store';
import { MemoryResumeStore } from './store/memory-store';
import type { ResumeStore } from './store/types';
import type { Transport } from './types';
import { createInMemoryUploadLocks, type UploadLocks } from './upload-lock';

const PART = 1024;
const PARTS = 10;
const SIGNER_ID = 'https://signer.example/api/uploads';
const limits = { minPartSize: PART, maxPartSize: 1024 * 1024, maxParts: 10_000 };

function makeFile(seed = 7, name = 'video.bin'): File {
  return new File([randomBytes(PARTS * PART - 100, seed)], name, {
    type: 'application/octet-stream',
    lastModified: 1_700_000_000_000,
  });
}

/** Counts the PUTs one simulated tab sends. */
function counting(inner: Transport) {
  const counter = { count: 0, transport: inner };
  counter.transport = (request) => {
    counter.count += 1;
    return inner(request);
  };
  return counter;
}

function setup() {
  const s3 = createFakeS3();
  const signer = httpLikeSigner(s3);
  const shared = createInMemoryUploadLocks();
  const open = (
    file: File,
    options: {
      transport: Transport;
      store: ResumeStore;
      locks?: UploadLocks | false;
      resume?: Partial<SessionResumeOptions> | null;
      handle?: unknown;
    },
  ): ResumableSession =>
    createResumableSession({
      file,
      upload: {
        signer,
        transport: options.transport,
        pool: new ConcurrencyPool(6),
        partSize: PART,
        limits,
        singlePutThreshold: 0,
        progressIntervalMs: 0,
        concurrency: 2,
      },
      resume:
        options.resume === null
          ? null
          : {
              store: options.store,
              signerId: SIGNER_ID,
              locks: options.locks ?? tabLocks(shared),
              onPageHidden: () => () => {},
              ...options.resume,
            },
      ...(options.handle === undefined ? {} : { handle: options.handle }),
    });
  return { s3, signer, shared, open };
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function bytesOf(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

let counter = 0;
const stores: DexieResumeStore[] = [];
function dexie(name: string): DexieResumeStore {
  const store = new DexieResumeStore({ databaseName: name, indexedDB, IDBKeyRange });
  stores.push(store);
  return store;
}

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

// Generous bounds: these wait for cross-tab lock hand-offs, which a loaded CI machine can slow.
describe('ResumableSession', { timeout: 20_000 }, () => {
  it('fingerprints, locks, records the upload with its handle, then removes the record and lets go of the lock', async () => {
    const { s3, open, shared } = setup();
    const store = new MemoryResumeStore();
    const changes: ResumableUploadsChange[] = [];
    const stop = onResumableUploadsChanged((c) => changes.push(c));
    const gate = gatedTransport(s3.transport, 3);
    const handle = { kind: 'file', getFile: async () => makeFile() };
    const session = open(makeFile(), { transport: gate.transport, store, handle });
    expect(session.getState()).toMatchObject({ status: 'idle', fingerprint: null, lockedElsewhere: false });
    const done = session.start();
    expect(session.getState().status).toBe('preparing');
    const fingerprint = await fingerprintFile(makeFile());
    await until(() => gate.heldCount > 0, 'parts held');
    expect(session.getState()).toMatchObject({
      status: 'uploading',
      fingerprint,
      resumed: false,
      notice: null,
    });
    expect(await shared.held()).toEqual(new Set([fingerprint]));
    const record = await store.get(fingerprint);
    expect(record).toMatchObject({
      id: fingerprint,
      signerId: SIGNER_ID,
      name: 'video.bin',
      size: PARTS * PART - 100,
    });
    expect(record?.handle).toBe(handle); // the memory store keeps a handle as it is
    expect(changes).toContainEqual(expect.objectContaining({ type: 'created', fingerprint }));

    gate.open();
    const result = await done;
    expect(result.partCount).toBe(PARTS);
    expect(s3.objects.get(result.key)).toEqual(await bytesOf(makeFile()));
    await until(async () => (await shared.held()).size === 0, 'lock released');
    expect(await store.get(fingerprint)).toBeUndefined();
    expect(changes).toContainEqual(expect.objectContaining({ type: 'completed', fingerprint }));
    stop();
  });

  it('after a reload, continues from the stored parts and sends only the missing ones (IndexedDB)', async () => {
    const { s3, open, shared } = setup();
    const name = `s3mu-session-${++counter}`;
    let hide = () => {};
    const tabA = tabLocks(shared);
    const gate = gatedTransport(s3.transport, 4);
    const before = open(makeFile(), {
      transport: gate.transport,
      store: dexie(name),
      locks: tabA,
      resume: {
        flushIntervalMs: 60_000,
        onPageHidden: (listener) => {
          hide = listener;
          return () => {};
        },
      },
    });
    void before.start();
    await until(() => before.getState().partsCompleted === 4 && gate.heldCount === 2, '4 parts stored');
    const fingerprint = before.getState().fingerprint as string;
    // The page is hidden (reload): its buffered parts are written, then it is gone with its lock.
    expect((await dexie(name).get(fingerprint))?.parts).toEqual([]);
    hide();
    await until(async () => (await dexie(name).get(fingerprint))?.parts.length === 4, 'flushed on pagehide');
    tabA.kill();

    const b = counting(s3.transport);
    const after = open(makeFile(), { transport: b.transport, store: dexie(name) });
    const result = await after.start();
    expect(after.getState()).toMatchObject({ status: 'completed', resumed: true, notice: null });
    expect(b.count).toBe(PARTS - 4);
    expect(s3.calls.filter((c) => c === 'create')).toHaveLength(1);
    expect(s3.objects.get(result.key)).toEqual(await bytesOf(makeFile()));
    expect(await dexie(name).get(fingerprint)).toBeUndefined();
  });

  it('after a crash (nothing flushed), recovers the finished parts from S3 (ListParts)', async () => {
    const { s3, open, shared } = setup();
    const store = new MemoryResumeStore();
    const tabA = tabLocks(shared);
    const gate = gatedTransport(s3.transport, 5);
    const before = open(makeFile(), {
      transport: gate.transport,
      store,
      locks: tabA,
      resume: { flushIntervalMs: 60_000 },
    });
    void before.start();
    await until(() => before.getState().partsCompleted === 5, '5 parts stored');
    const fingerprint = before.getState().fingerprint as string;
    expect((await store.get(fingerprint))?.parts).toEqual([]);
    tabA.kill();

    const b = counting(s3.transport);
    const after = open(makeFile(), { transport: b.transport, store });
    await after.start();
    expect(after.getState().resumed).toBe(true);
    expect(b.count).toBe(PARTS - 5);
  });

  it('two tabs: the second reports lockedElsewhere, sends nothing, and takes over when the first goes away', async () => {
    const { s3, open, shared } = setup();
    const store = new MemoryResumeStore();
    const tabA = tabLocks(shared);
    const gate = gatedTransport(s3.transport, 3);
    const first = open(makeFile(), { transport: gate.transport, store, locks: tabA });
    void first.start();
    await until(() => first.getState().partsCompleted === 3, '3 parts stored');

    const b = counting(s3.transport);
    const second = open(makeFile(), { transport: b.transport, store, locks: tabLocks(shared) });
    const done = second.start();
    await until(() => second.getState().lockedElsewhere, 'lockedElsewhere');
    expect(second.getState()).toMatchObject({ status: 'preparing', lockedElsewhere: true });
    expect(second.upload).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(b.count).toBe(0);

    first.pause(); // its requests stop, as a closed tab's do
    tabA.kill();
    const result = await done;
    expect(second.getState()).toMatchObject({ status: 'completed', lockedElsewhere: false, resumed: true });
    expect(b.count).toBeLessThanOrEqual(PARTS - 3);
    expect(s3.objects.get(result.key)).toEqual(await bytesOf(makeFile()));
  });

  it('a waiting tab reports the result when the other tab completes the file (no second upload)', async () => {
    const { s3, open, shared } = setup();
    const store = new MemoryResumeStore();
    const gate = gatedTransport(s3.transport, 2);
    const first = open(makeFile(), { transport: gate.transport, store, locks: tabLocks(shared) });
    const firstDone = first.start();
    // The first tab must hold the lock before the second asks: both fingerprint the file first,
    // and those digests may finish in either order.
    await until(() => first.getState().partsCompleted === 2, '2 parts');
    const b = counting(s3.transport);
    const second = open(makeFile(), { transport: b.transport, store, locks: tabLocks(shared) });
    const secondDone = second.start();
    await until(() => second.getState().lockedElsewhere, 'lockedElsewhere');
    gate.open();
    const [a, c] = await Promise.all([firstDone, secondDone]);
    expect(c).toEqual(a);
    expect(second.getState()).toMatchObject({ status: 'completed', percent: 100, lockedElsewhere: false });
    expect(second.getState().notice).toMatch(/another tab/);
    expect(b.count).toBe(0);
    expect(s3.calls.filter((call) => call === 'create')).toHaveLength(1);
  });

  it('cancelling while waiting only stops waiting: the other tab and the record are untouched', async () => {
    const { s3, open, shared } = setup();
    const store = new MemoryResumeStore();
    const gate = gatedTransport(s3.transport, 2);
    const first = open(makeFile(), { transport: gate.transport, store, locks: tabLocks(shared) });
    void first.start();
    await until(() => first.getState().partsCompleted === 2, '2 parts');
    const second = open(makeFile(), { transport: s3.transport, store, locks: tabLocks(shared) });
    const done = second.start();
    await until(() => second.getState().lockedElsewhere, 'lockedElsewhere');
    await second.cancel();
    await expect(done).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(second.getState()).toMatchObject({ status: 'cancelled', lockedElsewhere: false });
    expect(s3.calls).not.toContain('abort');
    expect(await store.get(first.getState().fingerprint as string)).toBeDefined();
    gate.open();
    await expect(first.start()).resolves.toMatchObject({ partCount: PARTS });
  });

  it('pausing before the Upload exists creates it paused; resume continues', async () => {
    const { s3, open } = setup();
    const store = new MemoryResumeStore();
    const session = open(makeFile(), { transport: s3.transport, store });
    const done = session.start();
    session.pause();
    expect(session.getState().status).toBe('paused');
    await until(() => session.upload !== null, 'upload created');
    expect(session.getState().status).toBe('paused');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(s3.puts).toHaveLength(0);
    session.resume();
    await expect(done).resolves.toMatchObject({ partCount: PARTS });
  });

  it('tells when the stored upload no longer exists on S3, and starts again', async () => {
    const { s3, open } = setup();
    const store = new MemoryResumeStore();
    const fingerprint = await fingerprintFile(makeFile());
    const now = Date.now();
    await store.put({
      version: 1,
      id: fingerprint,
      signerId: SIGNER_ID,
      name: 'video.bin',
      size: PARTS * PART - 100,
      type: 'application/octet-stream',
      lastModified: 1_700_000_000_000,
      key: 'uploads/video.bin',
      uploadId: 'gone',
      partSize: PART,
      parts: [{ partNumber: 1, etag: '"etag-1"', size: PART }],
      createdAt: now,
      updatedAt: now,
      expiresAt: now + 60_000,
    });
    const session = open(makeFile(), { transport: s3.transport, store });
    await session.start();
    expect(session.getState().notice).toMatch(/no longer exists on S3/);
    expect(session.getState().resumed).toBe(false);
    expect(s3.puts).toHaveLength(PARTS);
  });

  it('fails before the Upload exists when the file cannot be read, and retries', async () => {
    const { s3, open } = setup();
    const real = makeFile();
    let broken = true;
    const file = {
      size: real.size,
      type: real.type,
      name: real.name,
      lastModified: real.lastModified,
      slice: (start?: number, end?: number, type?: string) =>
        broken
          ? ({ arrayBuffer: () => Promise.reject(new Error('NotReadableError')) } as unknown as Blob)
          : real.slice(start, end, type),
    } as unknown as File;
    const session = open(file, { transport: s3.transport, store: new MemoryResumeStore() });
    await expect(session.start()).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
    expect(session.getState().status).toBe('error');
    expect(session.upload).toBeNull();
    expect(session.getState().error?.message).toMatch(/NotReadableError/);
    broken = false;
    await expect(session.retry()).resolves.toMatchObject({ partCount: PARTS });
  });

  it('without resume options it is a plain Upload: created at once, nothing stored or locked', async () => {
    const { s3, open } = setup();
    const store = new MemoryResumeStore();
    const session = open(makeFile(), { transport: s3.transport, store, resume: null });
    expect(session.upload?.getState().status).toBe('idle');
    await session.start();
    expect(session.getState()).toMatchObject({ status: 'completed', fingerprint: null, resumed: false });
    expect(await store.list()).toEqual([]);
  });

  it('reports store write failures and carries on', async () => {
    const { s3, open } = setup();
    const store = new MemoryResumeStore();
    store.put = () => Promise.reject(new Error('QuotaExceededError'));
    const errors: unknown[] = [];
    const session = open(makeFile(), {
      transport: s3.transport,
      store,
      resume: { onStoreError: (e) => errors.push(e) },
    });
    await expect(session.start()).resolves.toMatchObject({ partCount: PARTS });
    expect(String(errors[0])).toMatch(/Quota/);
  });
});
