// Helpers for the resume/store tests (the fake S3 itself stays untouched).
import { UploadError } from '../../src/engine/errors';
import type { RecordTouch, ResumeStore, StoredPart, UploadRecord } from '../../src/engine/store/types';
import { type Clock, type Signer, type Transport, TransportFailure } from '../../src/engine/types';
import type { createFakeS3 } from './fake-s3';

type FakeS3 = ReturnType<typeof createFakeS3>;

const notFound = () =>
  new UploadError(
    'UPLOAD_NOT_FOUND',
    'The multipart upload does not exist (signer: HTTP 404 UPLOAD_NOT_FOUND)',
    {
      status: 404,
    },
  );

/**
 * The fake signer answering like the HTTP signer does: UPLOAD_NOT_FOUND when the multipart upload
 * is gone (the fake throws a plain Error), and a hook to make ListParts fail another way.
 */
export function httpLikeSigner(s3: FakeS3, options: { listParts?: () => Error | undefined } = {}): Signer {
  const gone = (uploadId: string) => !s3.uploads.has(uploadId);
  return {
    ...s3.signer,
    async listParts(input, ctx) {
      const failure = options.listParts?.();
      if (failure) throw failure;
      if (gone(input.uploadId)) throw notFound();
      return s3.signer.listParts(input, ctx);
    },
    async completeMultipartUpload(input, ctx) {
      if (gone(input.uploadId)) throw notFound();
      return s3.signer.completeMultipartUpload(input, ctx);
    },
    async abortMultipartUpload(input, ctx) {
      if (gone(input.uploadId)) throw notFound();
      return s3.signer.abortMultipartUpload(input, ctx);
    },
  };
}

/** Each request waits `ms` on the (fake) clock before reaching S3, so an upload takes time. */
export function slowTransport(transport: Transport, clock: Clock, ms: number): Transport {
  return (request) =>
    new Promise((resolve, reject) => {
      const onAbort = () => {
        clock.clearTimeout(timer);
        reject(new Error('aborted'));
      };
      const timer = clock.setTimeout(() => {
        request.signal.removeEventListener('abort', onAbort);
        transport(request).then(resolve, reject);
      }, ms);
      request.signal.addEventListener('abort', onAbort, { once: true });
    });
}

/** Wraps a store and counts its calls (writes are put + addParts + remove). */
export class CountingStore implements ResumeStore {
  readonly calls = { get: 0, put: 0, addParts: 0, remove: 0, list: 0, removeExpired: 0 };

  constructor(readonly inner: ResumeStore) {}

  get writes(): number {
    return this.calls.put + this.calls.addParts + this.calls.remove;
  }

  get(id: string) {
    this.calls.get += 1;
    return this.inner.get(id);
  }
  put(record: UploadRecord) {
    this.calls.put += 1;
    return this.inner.put(record);
  }
  addParts(id: string, parts: readonly StoredPart[], touch: RecordTouch) {
    this.calls.addParts += 1;
    return this.inner.addParts(id, parts, touch);
  }
  remove(id: string) {
    this.calls.remove += 1;
    return this.inner.remove(id);
  }
  list() {
    this.calls.list += 1;
    return this.inner.list();
  }
  removeExpired(now: number) {
    this.calls.removeExpired += 1;
    return this.inner.removeExpired(now);
  }
}

/** A valid record for store tests. */
export function sampleRecord(overrides: Partial<UploadRecord> = {}): UploadRecord {
  return {
    version: 1,
    id: 'a1b2c3',
    signerId: 'https://signer.example/api/uploads',
    name: 'video.mp4',
    size: 30 * 1024 * 1024,
    type: 'video/mp4',
    lastModified: 1_690_000_000_000,
    key: 'uploads/video.mp4',
    uploadId: 'upload-1',
    partSize: 8 * 1024 * 1024,
    parts: [],
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    expiresAt: 1_700_000_000_000 + 7 * 24 * 3600_000,
    ...overrides,
  };
}

/**
 * A seeded PRNG (mulberry32) returning numbers in [0, 1): interrupt points drawn from it are
 * reproducible from the seed a failing run prints.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * A store handle that can be dropped the way a killed page or process drops it: after `drop()`
 * every write is lost (resolves, writes nothing). Writes already handed to the store go on;
 * `settled()` waits for them, so what the next run finds does not depend on timing.
 */
export class DroppableStore implements ResumeStore {
  private dropped = false;
  private readonly pending = new Set<Promise<unknown>>();
  /** Writes lost because the handle was dropped. */
  lostWrites = 0;

  constructor(readonly inner: ResumeStore) {}

  drop(): void {
    this.dropped = true;
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private write<T>(value: T, run: () => Promise<T>): Promise<T> {
    if (this.dropped) {
      this.lostWrites += 1;
      return Promise.resolve(value);
    }
    const write = run();
    this.pending.add(write);
    const forget = () => this.pending.delete(write);
    write.then(forget, forget);
    return write;
  }

  get(id: string) {
    return this.inner.get(id);
  }
  put(record: UploadRecord) {
    return this.write(undefined, () => this.inner.put(record));
  }
  addParts(id: string, parts: readonly StoredPart[], touch: RecordTouch) {
    return this.write(false, () => this.inner.addParts(id, parts, touch));
  }
  remove(id: string) {
    return this.write(undefined, () => this.inner.remove(id));
  }
  list() {
    return this.inner.list();
  }
  removeExpired(now: number) {
    return this.write([], () => this.inner.removeExpired(now));
  }
}

const partNumberOf = (url: string): number | null => {
  const match = /[?&]partNumber=(\d+)/.exec(url);
  return match ? Number(match[1]) : null;
};

/**
 * Wraps a transport to count part PUTs by part number, and to cut it the way a killed process
 * is cut: after `cut()` no answer reaches the uploader (its requests fail once it aborts them)
 * and no new request reaches S3. `onChange` runs synchronously after every progress report and
 * every answer, so a test can cut at an exact point (a part's answer, a byte count).
 */
export class PartPutRecorder {
  /** PUT attempts that reached S3, by part number. */
  readonly puts = new Map<number, number>();
  /** Attempts answered with an error status or failing without an answer (before any cut). */
  readonly failures = new Map<number, number>();
  /** Parts S3 answered 2xx (it stores them), whether or not the uploader saw the answer. */
  readonly stored = new Set<number>();
  /** Parts with an attempt under way (sent, not answered). */
  readonly inFlight = new Set<number>();
  /** Body bytes handed over so far, all attempts. */
  bytesSent = 0;
  /** Requests the uploader started after the cut (never sent). */
  afterCut = 0;
  private isCut = false;

  constructor(
    private readonly inner: Transport,
    private readonly onChange: (recorder: PartPutRecorder) => void = () => {},
  ) {}

  get cutDone(): boolean {
    return this.isCut;
  }

  /** Parts PUT at least once. */
  get sentParts(): Set<number> {
    return new Set(this.puts.keys());
  }

  cut(): void {
    this.isCut = true;
  }

  readonly transport: Transport = (request) => {
    const part = partNumberOf(request.url) ?? 0;
    if (this.isCut) {
      this.afterCut += 1;
      return new Promise((_resolve, reject) => {
        const fail = () => reject(new TransportFailure('aborted', 'the process was killed'));
        if (request.signal.aborted) fail();
        else request.signal.addEventListener('abort', fail, { once: true });
      });
    }
    const bump = (map: Map<number, number>) => map.set(part, (map.get(part) ?? 0) + 1);
    bump(this.puts);
    this.inFlight.add(part);
    let reported = 0;
    const onProgress = (sent: number) => {
      if (!this.isCut) {
        this.bytesSent += sent - reported;
        reported = sent;
      }
      request.onProgress?.(sent);
      if (!this.isCut) this.onChange(this);
    };
    const settle = (ok: boolean) => {
      const wasCut = this.isCut;
      this.inFlight.delete(part);
      if (!wasCut) {
        if (ok) this.stored.add(part);
        else bump(this.failures);
        this.onChange(this);
      }
      return !this.isCut;
    };
    return this.inner({ ...request, onProgress }).then(
      (response) => {
        const deliver = settle(response.status >= 200 && response.status < 300);
        if (deliver) return response;
        throw new TransportFailure('aborted', 'the process was killed');
      },
      (error: unknown) => {
        settle(false);
        throw error;
      },
    );
  };
}
