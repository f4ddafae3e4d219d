import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock';
import { createFakeS3, randomBytes } from '../../test/support/fake-s3';
import { CountingStore, httpLikeSigner, slowTransport } from '../../test/support/resume-helpers';
import { ConcurrencyPool } from './concurrency-pool';
import { UploadError } from './errors';
import { fingerprintFile } from './fingerprint';
import {
  DEFAULT_RESUME_TTL_MS,
  discardResumableUpload,
  listResumableUploads,
  persistUpload,
  prepareResume,
} from './resume';
import { DexieResumeStore } from './store/dexie-store';
import { MemoryResumeStore } from './store/memory-store';
import type { ResumeStore, UploadRecord } from './store/types';
import type { Signer, Transport } from './types';
import { createUpload, type ResumePoint } from './upload';

const PART = 1024;
const limits = { minPartSize: PART, maxPartSize: 1024 * 1024, maxParts: 10_000 };
const SIGNER_ID = 'https://signer.example/api/uploads';

/** A store whose writes stop reaching the disk once the page "crashes". */
class CrashableStore extends CountingStore {
  private dead = false;
  crash() {
    this.dead = true;
  }
  override put(record: UploadRecord) {
    return this.dead ? Promise.resolve() : super.put(record);
  }
  override addParts(...args: Parameters<ResumeStore['addParts']>) {
    return this.dead ? Promise.resolve(false) : super.addParts(...args);
  }
  override remove(id: string) {
    return this.dead ? Promise.resolve() : super.remove(id);
  }
}

interface EnvOptions {
  parts?: number;
  store?: ResumeStore;
  /** Fake time each PUT takes (0: instant). */
  putMs?: number;
  listParts?: () => Error | undefined;
}

async function env(options: EnvOptions = {}) {
  const parts = options.parts ?? 20;
  const clock = new FakeClock();
  const s3 = createFakeS3({ now: () => clock.now() });
  const signer: Signer = httpLikeSigner(s3, options.listParts ? { listParts: options.listParts } : {});
  const transport: Transport = options.putMs
    ? slowTransport(s3.transport, clock, options.putMs)
    : s3.transport;
  const data = randomBytes((parts - 1) * PART + 100, 11);
  const file = new File([data], 'data.bin', {
    type: 'application/octet-stream',
    lastModified: 1_690_000_000_000,
  });
  const store = options.store ?? new MemoryResumeStore();
  const fingerprint = await fingerprintFile(file);

  function start(resume?: ResumePoint, flushIntervalMs = 1000, persistTo: ResumeStore = store) {
    const upload = createUpload(file, {
      signer,
      transport,
      clock,
      random: () => 0.5,
      partSize: PART,
      limits,
      singlePutThreshold: 0,
      integrity: false,
      concurrency: 3,
      pool: new ConcurrencyPool(6),
      progressIntervalMs: 0,
      fingerprint,
      ...(resume ? { resume } : {}),
    });
    const persistence = persistUpload(upload, {
      store: persistTo,
      fingerprint,
      file,
      signerId: SIGNER_ID,
      clock,
      flushIntervalMs,
    });
    const done = upload.start();
    return { upload, persistence, done };
  }

  const prepare = (now = clock.now()) =>
    prepareResume({ file, fingerprint, store, signer, signerId: SIGNER_ID, now, limits });

  /** Runs a first upload until `stopAt` parts are stored, then pauses it and drops it (a reload). */
  async function interrupted(stopAt: number) {
    s3.setFault(() => (s3.puts.length >= stopAt ? 'hang' : undefined));
    const first = start();
    await clock.advance(100);
    first.upload.pause();
    await first.persistence.flush();
    first.persistence.dispose();
    s3.setFault(() => undefined);
    const record = (await store.get(fingerprint)) as UploadRecord;
    const uploadId = record.uploadId;
    const onS3 = [...(s3.uploads.get(uploadId)?.keys() ?? [])].sort((a, b) => a - b);
    s3.puts.length = 0;
    return { record, uploadId, onS3, first };
  }

  async function finish(run: ReturnType<typeof start>) {
    await clock.advance(60_000);
    const result = await run.done;
    await run.persistence.flush();
    return result;
  }

  const sentParts = () => s3.puts.map((p) => p.partNumber as number).sort((a, b) => a - b);
  const all = Array.from({ length: parts }, (_, i) => i + 1);
  return {
    clock,
    s3,
    signer,
    data,
    file,
    store,
    fingerprint,
    start,
    prepare,
    interrupted,
    finish,
    sentParts,
    all,
  };
}

describe('resume after an interruption', () => {
  it('a fresh Upload with the same store sends only the missing parts and completes byte-identical', async () => {
    const e = await env();
    const { record, onS3 } = await e.interrupted(8);
    // Pausing flushed every finished part: the record holds exactly what S3 holds.
    expect(record.parts.map((p) => p.partNumber)).toEqual(onS3);
    expect(onS3.length).toBeGreaterThanOrEqual(8);

    const prepared = await e.prepare();
    expect(prepared.notice).toBeUndefined();
    expect(prepared.resume?.completedParts.map((p) => p.partNumber)).toEqual(onS3);
    const result = await e.finish(e.start(prepared.resume));

    expect(e.sentParts()).toEqual(e.all.filter((n) => !onS3.includes(n)));
    expect(e.s3.calls.filter((c) => c === 'create')).toHaveLength(1);
    expect(result.partCount).toBe(20);
    expect(e.s3.objects.get(result.key)).toEqual(e.data);
    expect(await e.store.get(e.fingerprint)).toBeUndefined();
  });

  it('after a crash between batches, re-sends at most the parts finished since the last batch plus those in flight', async () => {
    const e = await env({ parts: 60, putMs: 100, listParts: () => new Error('ListParts is not supported') });
    const page = new CrashableStore(e.store);
    const first = e.start(undefined, 1000, page);
    await e.clock.advance(1550);
    // Crash: whatever the dead page would still write never reaches the disk.
    page.crash();
    first.upload.pause();
    await first.persistence.flush();
    const record = (await e.store.get(e.fingerprint)) as UploadRecord;
    const onS3 = [...(e.s3.uploads.get(record.uploadId)?.keys() ?? [])];
    expect(record.parts.length).toBeGreaterThan(0);
    expect(record.parts.length).toBeLessThan(onS3.length);
    const unrecorded = onS3.length - record.parts.length;
    // At most one flush interval of finished parts is unrecorded: 3 parallel 100 ms PUTs for 1 s.
    expect(unrecorded).toBeLessThanOrEqual(3 * 10);

    e.s3.puts.length = 0;
    const prepared = await e.prepare();
    expect(prepared.notice).toMatch(
      /Could not list the parts on S3 .*continuing with the \d+ parts recorded locally/,
    );
    const result = await e.finish(e.start(prepared.resume));
    const resent = e.sentParts();
    expect(resent.length).toBe(60 - record.parts.length);
    expect(resent.filter((n) => onS3.includes(n)).length).toBe(unrecorded);
    expect(e.s3.objects.get(result.key)).toEqual(e.data);
  });

  it('with ListParts, parts S3 holds but the record missed are taken from S3, not re-sent', async () => {
    const e = await env();
    const { onS3 } = await e.interrupted(10);
    const record = (await e.store.get(e.fingerprint)) as UploadRecord;
    await e.store.put({ ...record, parts: record.parts.slice(0, 3) });
    const prepared = await e.prepare();
    expect(prepared.resume?.completedParts.map((p) => p.partNumber)).toEqual(onS3);
    await e.finish(e.start(prepared.resume));
    expect(e.sentParts()).toEqual(e.all.filter((n) => !onS3.includes(n)));
  });

  it('a fresh empty store (another browser) finds the upload on the signer and sends only the missing parts', async () => {
    const e = await env();
    const { onS3 } = await e.interrupted(5);
    const elsewhere = new MemoryResumeStore();
    const prepared = await prepareResume({
      file: e.file,
      fingerprint: e.fingerprint,
      store: elsewhere,
      signer: e.signer,
      signerId: SIGNER_ID,
      now: e.clock.now(),
      limits,
      partSize: PART,
    });
    expect(prepared.notice).toMatch(/Continuing the upload started elsewhere: \d+ parts already on S3/);
    expect(prepared.resume?.partSize).toBe(PART);
    expect(prepared.resume?.completedParts.map((p) => p.partNumber)).toEqual(onS3);
    expect((await elsewhere.get(e.fingerprint))?.uploadId).toBe(prepared.resume?.uploadId);
    const result = await e.finish(e.start(prepared.resume, 1000, elsewhere));
    expect(e.s3.calls.filter((c) => c === 'create')).toHaveLength(1);
    expect(e.sentParts()).toEqual(e.all.filter((n) => !onS3.includes(n)));
    expect(e.s3.objects.get(result.key)).toEqual(e.data);
  });

  it('a fresh empty store with a signer that cannot find uploads starts a new multipart upload', async () => {
    const e = await env();
    await e.interrupted(5);
    const { findUpload: _ignored, ...withoutFind } = e.signer;
    const prepared = await prepareResume({
      file: e.file,
      fingerprint: e.fingerprint,
      store: new MemoryResumeStore(),
      signer: withoutFind,
      signerId: SIGNER_ID,
      now: e.clock.now(),
    });
    expect(prepared).toEqual({});
    const result = await e.finish(e.start(prepared.resume));
    expect(e.s3.calls.filter((c) => c === 'create')).toHaveLength(2);
    expect(e.sentParts()).toEqual(e.all);
    expect(e.s3.objects.get(result.key)).toEqual(e.data);
  });

  it('resumes in the same browser after a reload with the IndexedDB store', async () => {
    const databaseName = `s3mu-resume-${Date.now()}`;
    const before = new DexieResumeStore({ databaseName, indexedDB, IDBKeyRange });
    const e = await env({ store: before });
    const { onS3 } = await e.interrupted(7);
    before.close();

    const after = new DexieResumeStore({ databaseName, indexedDB, IDBKeyRange });
    const prepared = await prepareResume({
      file: e.file,
      fingerprint: await fingerprintFile(
        new File([e.data], 'data.bin', { type: e.file.type, lastModified: e.file.lastModified }),
      ),
      store: after,
      signer: e.signer,
      signerId: SIGNER_ID,
      now: e.clock.now(),
      limits,
    });
    expect(prepared.resume?.completedParts.map((p) => p.partNumber)).toEqual(onS3);
    const upload = createUpload(e.file, {
      signer: e.signer,
      transport: e.s3.transport,
      clock: e.clock,
      partSize: PART,
      limits,
      integrity: false,
      concurrency: 3,
      pool: new ConcurrencyPool(6),
      ...(prepared.resume ? { resume: prepared.resume } : {}),
    });
    const persistence = persistUpload(upload, {
      store: after,
      fingerprint: e.fingerprint,
      file: e.file,
      signerId: SIGNER_ID,
      clock: e.clock,
    });
    const done = upload.start();
    await e.clock.advance(60_000);
    const result = await done;
    await persistence.flush();
    expect(e.sentParts()).toEqual(e.all.filter((n) => !onS3.includes(n)));
    expect(e.s3.objects.get(result.key)).toEqual(e.data);
    expect(await after.get(e.fingerprint)).toBeUndefined();
    after.close();
  });
});

describe('reconcile with S3', () => {
  it('an upload aborted on S3 behind its back restarts cleanly with a notice and ends byte-identical', async () => {
    const e = await env();
    const { uploadId } = await e.interrupted(6);
    e.s3.uploads.delete(uploadId);
    const prepared = await e.prepare();
    expect(prepared.resume).toBeUndefined();
    expect(prepared.notice).toMatch(/no longer exists on S3.*starting again/);
    expect(await e.store.get(e.fingerprint)).toBeUndefined();

    const result = await e.finish(e.start(prepared.resume));
    expect(e.s3.calls.filter((c) => c === 'create')).toHaveLength(2);
    expect(e.sentParts()).toEqual(e.all);
    expect(result.uploadId).not.toBe(uploadId);
    expect(e.s3.objects.get(result.key)).toEqual(e.data);
  });

  it('never completes with missing parts when the upload vanishes after an unverified resume', async () => {
    let listFails = true;
    const e = await env({ listParts: () => (listFails ? new Error('signer down') : undefined) });
    const { uploadId } = await e.interrupted(6);
    const prepared = await e.prepare();
    expect(prepared.notice).toMatch(/Could not list the parts/);
    e.s3.uploads.delete(uploadId);
    listFails = false;
    const run = e.start(prepared.resume);
    await e.clock.advance(60_000);
    await expect(run.done).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
    await run.persistence.flush();
    expect(e.s3.objects.size).toBe(0);
    expect(e.s3.calls).not.toContain('complete');
    // The record can never resume: it is gone, so the next attempt starts cleanly.
    expect(await e.store.get(e.fingerprint)).toBeUndefined();
  });

  it('re-sends parts whose local ETag disagrees with S3, and parts whose size is wrong; tolerates ETag quoting', async () => {
    const e = await env();
    const { record, uploadId, onS3 } = await e.interrupted(8);
    const parts = record.parts.map((p) => {
      if (p.partNumber === 2) return { ...p, etag: '"bogus"' };
      if (p.partNumber === 4) return { ...p, etag: p.etag.replace(/"/g, '').toUpperCase() };
      return p;
    });
    await e.store.put({ ...record, parts });
    e.s3.uploads.get(uploadId)?.set(5, new Uint8Array(10));
    e.s3.uploads.get(uploadId)?.set(99, new Uint8Array(PART));

    const prepared = await e.prepare();
    expect(prepared.notice).toMatch(/1 part on S3 did not match .* sent again/);
    const kept = prepared.resume?.completedParts.map((p) => p.partNumber) ?? [];
    expect(kept).not.toContain(2);
    expect(kept).not.toContain(5);
    expect(kept).not.toContain(99);
    expect(kept).toContain(4);
    // The ETags handed to Complete are S3's.
    expect(prepared.resume?.completedParts.find((p) => p.partNumber === 4)?.etag).toBe('"etag-4"');
    expect((await e.store.get(e.fingerprint))?.parts.map((p) => p.partNumber)).toEqual(kept);

    const result = await e.finish(e.start(prepared.resume));
    const resent = e.sentParts();
    expect(resent).toContain(2);
    expect(resent).toContain(5);
    expect(resent).not.toContain(4);
    expect(resent).toEqual(e.all.filter((n) => !onS3.includes(n) || n === 2 || n === 5));
    expect(e.s3.objects.get(result.key)).toEqual(e.data);
  });

  it('ignores records of another signer and leaves them alone', async () => {
    const e = await env();
    await e.interrupted(4);
    const prepared = await prepareResume({
      file: e.file,
      fingerprint: e.fingerprint,
      store: e.store,
      signer: e.signer,
      signerId: 'https://other.example/sign',
      now: e.clock.now(),
    });
    expect(prepared).toEqual({});
    expect(await e.store.get(e.fingerprint)).toBeDefined();
  });

  it('a file of another size never resumes the record (changed file)', async () => {
    const e = await env();
    const { uploadId } = await e.interrupted(4);
    const changed = new File([e.data, new Uint8Array(5)], 'data.bin', { lastModified: e.file.lastModified });
    const prepared = await prepareResume({
      file: changed,
      fingerprint: e.fingerprint,
      store: e.store,
      signer: e.signer,
      signerId: SIGNER_ID,
      now: e.clock.now(),
    });
    expect(prepared.resume).toBeUndefined();
    expect(prepared.notice).toMatch(/file changed/);
    expect(e.s3.uploads.has(uploadId)).toBe(false);
  });
});

describe('batched persistence', () => {
  it('writes far fewer times than parts during a 100-part upload, yet a pause persists every finished part', async () => {
    const store = new CountingStore(new MemoryResumeStore());
    const e = await env({ parts: 100, putMs: 100, store });
    const run = e.start(undefined, 1000);
    await e.clock.advance(1250);
    run.upload.pause();
    await run.persistence.flush();
    const record = (await store.get(e.fingerprint)) as UploadRecord;
    expect(record.parts.map((p) => p.partNumber)).toEqual(
      run.upload.completedParts().map((p) => p.partNumber),
    );
    expect(record.parts.length).toBeGreaterThan(20);

    run.upload.resume();
    await e.clock.advance(60_000);
    await run.done;
    await run.persistence.flush();
    // ~3.4 s of fake time: created + about one batch per second + the pause flush + the removal.
    expect(store.calls.put).toBe(1);
    expect(store.calls.addParts).toBeLessThanOrEqual(7);
    expect(store.writes).toBeLessThan(10);
    expect(store.calls.remove).toBe(1);
    expect(await store.get(e.fingerprint)).toBeUndefined();
  });

  it('a cancelled upload leaves no record (and no upload on S3)', async () => {
    const e = await env();
    const { first, uploadId } = await e.interrupted(5);
    // Cancel a resumed, persisted upload while its parts are in flight: the listener removes the record.
    e.s3.setFault(() => 'hang');
    const again = e.start((await e.prepare()).resume);
    await e.clock.advance(1);
    await again.upload.cancel();
    await again.persistence.flush();
    await expect(again.done).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await e.store.get(e.fingerprint)).toBeUndefined();
    expect(e.s3.uploads.has(uploadId)).toBe(false);
    expect(first.upload.getState().status).toBe('paused');
  });

  it('reports write failures and keeps uploading', async () => {
    const e = await env();
    const failing: ResumeStore = {
      ...new MemoryResumeStore(),
      get: async () => undefined,
      put: async () => {
        throw new Error('QuotaExceededError');
      },
      addParts: async () => {
        throw new Error('QuotaExceededError');
      },
      remove: async () => {},
      list: async () => [],
      removeExpired: async () => [],
    };
    const errors: unknown[] = [];
    const upload = createUpload(e.file, {
      signer: e.signer,
      transport: e.s3.transport,
      clock: e.clock,
      partSize: PART,
      limits,
      singlePutThreshold: 0,
      integrity: false,
      pool: new ConcurrencyPool(6),
    });
    const persistence = persistUpload(upload, {
      store: failing,
      fingerprint: e.fingerprint,
      file: e.file,
      signerId: SIGNER_ID,
      clock: e.clock,
      onError: (error) => errors.push(error),
    });
    const done = upload.start();
    await e.clock.advance(5000);
    await expect(done).resolves.toMatchObject({ partCount: 20 });
    await persistence.flush();
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('housekeeping', () => {
  it('an expired record is deleted (and its upload aborted) instead of resumed', async () => {
    const e = await env();
    const { uploadId } = await e.interrupted(5);
    const prepared = await e.prepare(e.clock.now() + DEFAULT_RESUME_TTL_MS + 1);
    expect(prepared.resume).toBeUndefined();
    expect(prepared.notice).toMatch(/too old/);
    expect(await e.store.get(e.fingerprint)).toBeUndefined();
    expect(e.s3.uploads.has(uploadId)).toBe(false);
  });

  it('each write refreshes the expiry (ttlMs after the last activity)', async () => {
    const e = await env();
    const { record } = await e.interrupted(5);
    expect(record.expiresAt).toBe(record.updatedAt + DEFAULT_RESUME_TTL_MS);
    const later = e.clock.now() + 3 * 24 * 3600_000;
    const prepared = await e.prepare(later);
    expect(prepared.record?.expiresAt).toBe(later + DEFAULT_RESUME_TTL_MS);
    expect((await e.store.get(e.fingerprint))?.expiresAt).toBe(later + DEFAULT_RESUME_TTL_MS);
  });

  it('lists resumable uploads newest first, after cleaning expired ones', async () => {
    const store = new MemoryResumeStore();
    const base = {
      version: 1 as const,
      signerId: SIGNER_ID,
      name: 'f',
      size: 3000,
      type: '',
      lastModified: 0,
    };
    const rec = (id: string, updatedAt: number, expiresAt: number, signerId = SIGNER_ID): UploadRecord => ({
      ...base,
      signerId,
      id,
      key: `k/${id}`,
      uploadId: `u-${id}`,
      partSize: PART,
      parts: [
        { partNumber: 1, etag: '"a"', size: PART },
        { partNumber: 2, etag: '"b"', size: PART },
      ],
      createdAt: 0,
      updatedAt,
      expiresAt,
    });
    await store.put(rec('old', 10, 100));
    await store.put(rec('a', 20, 1000));
    await store.put(rec('b', 30, 1000));
    await store.put(rec('c', 25, 1000, 'https://other.example'));
    const listed = await listResumableUploads(store, 500);
    expect(listed.map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(listed[0]?.bytesUploaded).toBe(2 * PART);
    expect(await store.get('old')).toBeUndefined();
    expect((await listResumableUploads(store, 500, { signerId: SIGNER_ID })).map((r) => r.id)).toEqual([
      'b',
      'a',
    ]);
  });

  it('discarding aborts the upload on S3 and deletes the record', async () => {
    const e = await env();
    const { uploadId } = await e.interrupted(5);
    expect(await discardResumableUpload(e.store, e.signer, e.fingerprint)).toBe(true);
    expect(e.s3.uploads.has(uploadId)).toBe(false);
    expect(await e.store.get(e.fingerprint)).toBeUndefined();
    expect(await discardResumableUpload(e.store, e.signer, e.fingerprint)).toBe(false);
  });

  it('discarding an upload already gone from S3 still deletes the record; other failures keep it', async () => {
    const e = await env();
    const { uploadId } = await e.interrupted(5);
    const flaky: Signer = {
      ...e.signer,
      abortMultipartUpload: async () => {
        throw new UploadError('SIGNER_UNREACHABLE', 'offline', { retryable: true });
      },
    };
    await expect(discardResumableUpload(e.store, flaky, e.fingerprint)).rejects.toMatchObject({
      code: 'SIGNER_UNREACHABLE',
    });
    expect(await e.store.get(e.fingerprint)).toBeDefined();
    e.s3.uploads.delete(uploadId);
    expect(await discardResumableUpload(e.store, e.signer, e.fingerprint)).toBe(true);
    expect(await e.store.get(e.fingerprint)).toBeUndefined();
  });
});
