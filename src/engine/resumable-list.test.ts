import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeS3 } from '../../test/support/fake-s3';
import { httpLikeSigner, sampleRecord } from '../../test/support/resume-helpers';
import { discardUpload, ResumableUploadsWatcher } from './resumable-list';
import { onResumableUploadsChanged, type ResumableUploadsChange } from './resume-events';
import { DexieResumeStore } from './store/dexie-store';
import { MemoryResumeStore } from './store/memory-store';
import { createInMemoryUploadLocks } from './upload-lock';

const SIGNER = 'https://signer.example/api/uploads';
const NOW = 1_700_000_000_000;

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const record = (id: string, overrides: Parameters<typeof sampleRecord>[0] = {}) =>
  sampleRecord({
    id,
    name: `${id}.bin`,
    size: 4000,
    partSize: 1000,
    signerId: SIGNER,
    updatedAt: NOW,
    expiresAt: NOW + 60_000,
    ...overrides,
  });

const stores: DexieResumeStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

describe('ResumableUploadsWatcher', () => {
  it('lists this signer’s live records, newest first, with percent, lock and handle flags, and follows changes', async () => {
    const store = new MemoryResumeStore();
    const locks = createInMemoryUploadLocks();
    await store.put(
      record('old', { updatedAt: NOW - 5000, parts: [{ partNumber: 1, etag: '"a"', size: 1000 }] }),
    );
    await store.put(record('new', { handle: { getFile: async () => new File([], 'x') } }));
    await store.put(record('expired', { expiresAt: NOW - 1 }));
    await store.put(record('foreign', { signerId: 'https://other.example' }));
    const held = await locks.acquire('new');
    const watcher = new ResumableUploadsWatcher(store, {
      signerId: SIGNER,
      locks,
      now: () => NOW,
      pollMs: 20,
    });
    expect(watcher.getSnapshot()).toMatchObject({ loading: true, uploads: [] });
    let notified = 0;
    const stop = watcher.subscribe(() => {
      notified += 1;
    });
    await until(() => !watcher.getSnapshot().loading, 'first listing');
    const uploads = watcher.getSnapshot().uploads;
    expect(uploads.map((u) => [u.id, u.percent, u.lockedElsewhere, u.hasHandle])).toEqual([
      ['new', 0, true, true],
      ['old', 25, false, false],
    ]);
    expect(await store.get('expired')).toBeUndefined(); // housekeeping

    // The other tab lets go: polled (a lock changes nothing in the store).
    held.release();
    await until(() => watcher.getSnapshot().uploads[0]?.lockedElsewhere === false, 'lock released');
    const before = notified;
    await store.addParts('new', [{ partNumber: 2, etag: '"b"', size: 1000 }], {
      updatedAt: NOW + 1,
      expiresAt: NOW + 60_000,
    });
    await until(() => notified > before, 'store change');
    expect(watcher.getSnapshot().uploads[0]).toMatchObject({ id: 'new', bytesUploaded: 1000, percent: 25 });
    await store.remove('old');
    await until(() => watcher.getSnapshot().uploads.length === 1, 'removal');
    stop();
    await store.remove('new');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watcher.getSnapshot().uploads).toHaveLength(1); // stopped watching
  });

  it('follows an IndexedDB store through Dexie liveQuery', async () => {
    const store = new DexieResumeStore({ databaseName: `s3mu-watch-${Date.now()}`, indexedDB, IDBKeyRange });
    stores.push(store);
    const watcher = new ResumableUploadsWatcher(store, { locks: false, now: () => NOW });
    const stop = watcher.subscribe(() => {});
    await until(() => !watcher.getSnapshot().loading, 'first listing');
    expect(watcher.getSnapshot().uploads).toEqual([]);
    await store.put(record('a'));
    await until(() => watcher.getSnapshot().uploads.length === 1, 'liveQuery update');
    stop();
  });

  it('reports a store that cannot be read', async () => {
    const store = new MemoryResumeStore();
    store.list = () => Promise.reject(new Error('IndexedDB is broken'));
    const watcher = new ResumableUploadsWatcher(store, { locks: false });
    const stop = watcher.subscribe(() => {});
    await until(() => !watcher.getSnapshot().loading, 'listing');
    expect(String(watcher.getSnapshot().error)).toMatch(/broken/);
    stop();
  });
});

describe('discardUpload', () => {
  it('aborts the upload on S3, deletes the record and tells the lists', async () => {
    const s3 = createFakeS3();
    const signer = httpLikeSigner(s3);
    const created = await signer.createMultipartUpload({
      name: 'a.bin',
      size: 4000,
      type: '',
      partSize: 1000,
      partCount: 4,
    });
    const store = new MemoryResumeStore();
    await store.put(record('a', created));
    const changes: ResumableUploadsChange[] = [];
    const stop = onResumableUploadsChanged((c) => changes.push(c));
    expect(await discardUpload(store, signer, 'a', { locks: createInMemoryUploadLocks() })).toBe(true);
    stop();
    expect(s3.calls).toContain('abort');
    expect(s3.uploads.has(created.uploadId)).toBe(false);
    expect(await store.get('a')).toBeUndefined();
    expect(changes).toEqual([{ type: 'discarded', fingerprint: 'a', ...created }]);
    expect(await discardUpload(store, signer, 'a', { locks: false })).toBe(false);
  });

  it('refuses while another tab uploads it (UPLOAD_IN_USE), keeping everything', async () => {
    const s3 = createFakeS3();
    const store = new MemoryResumeStore();
    await store.put(record('a'));
    const locks = createInMemoryUploadLocks();
    const other = await locks.acquire('a');
    await expect(discardUpload(store, s3.signer, 'a', { locks })).rejects.toMatchObject({
      code: 'UPLOAD_IN_USE',
    });
    expect(s3.calls).toEqual([]);
    expect(await store.get('a')).toBeDefined();
    other.release();
    await expect(discardUpload(store, s3.signer, 'a', { locks })).resolves.toBe(true);
    expect(await locks.held()).toEqual(new Set());
  });

  it('keeps the record when S3 refuses the abort (it can be discarded later)', async () => {
    const s3 = createFakeS3();
    const store = new MemoryResumeStore();
    await store.put(record('a'));
    const signer = {
      ...s3.signer,
      abortMultipartUpload: () => Promise.reject(new Error('signer down')),
    };
    await expect(discardUpload(store, signer, 'a', { locks: false })).rejects.toMatchObject({
      code: 'SIGNER_FAILED',
    });
    expect(await store.get('a')).toBeDefined();
  });
});
