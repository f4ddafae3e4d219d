// Helpers for the resume/store tests (the fake S3 itself stays untouched).
import { UploadError } from '../../src/engine/errors';
import type { RecordTouch, ResumeStore, StoredPart, UploadRecord } from '../../src/engine/store/types';
import type { Clock, Signer, Transport } from '../../src/engine/types';
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
