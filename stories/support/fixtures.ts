// Props and files shared by the stories.
import type { S3UploaderProps } from '../../src/components/index';
import { MOCK_SIGNER_URL } from './mock-s3';
import type { MockLoaded } from './msw';

/** Part size of the mocked stories: a 10 kB file is a 10-part multipart upload. */
export const PART = 1024;
export const SIGNER_ID = 'storybook-mock-signer';

/**
 * S3Uploader props for mocked mode: the real HTTP signer (fetch) and XHR transport, talking to
 * the msw mock of `loaded`; resumable uploads in a per-story memory store (so stories never see
 * each other's records, nor the browser's IndexedDB); small parts; quick retries.
 */
export function mockedProps(loaded: MockLoaded): S3UploaderProps {
  return {
    signer: MOCK_SIGNER_URL,
    token: loaded.mock.token,
    resume: { store: loaded.store, locks: loaded.locks, signerId: SIGNER_ID, flushIntervalMs: 0 },
    network: loaded.network,
    pool: loaded.pool,
    partSize: PART,
    limits: { minPartSize: PART, maxPartSize: 1024 * 1024, maxParts: 10_000 },
    singlePutThreshold: 0,
    // The mock's ETags are not MD5s; integrity checks are the engine's tests' business.
    integrity: false,
    progressIntervalMs: 0,
    concurrency: 2,
    maxPartAttempts: 3,
    backoff: { baseDelayMs: 10, maxDelayMs: 40 },
  };
}

/** Deterministic pseudo-random bytes (the same name + seed is the same file, for resuming). */
export function bytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A file of `size` bytes whose content and date depend only on its arguments. */
export function makeFile(name: string, size = 10 * PART, seed = 1): File {
  return new File([bytes(size, seed)], name, {
    type: 'application/octet-stream',
    lastModified: 1_700_000_000_000,
  });
}

/**
 * A file that can be picked but no longer read, as when it is changed, moved or deleted on disk
 * after being chosen: reading any slice rejects with the error Chromium gives then. (Sending a
 * slice still works: the stories that use it make S3 fail too, so that the engine checks.)
 */
export function unreadableFile(name: string, size = 4 * PART): File {
  const notReadable = () =>
    new DOMException(
      'The requested file could not be read, typically due to permission problems that have occurred after a reference to a file was acquired.',
      'NotReadableError',
    );
  class UnreadableFile extends File {
    override slice(start?: number, end?: number, contentType?: string): Blob {
      const blob = super.slice(start, end, contentType);
      Object.defineProperty(blob, 'arrayBuffer', { value: () => Promise.reject(notReadable()) });
      return blob;
    }
    override arrayBuffer(): Promise<ArrayBuffer> {
      return Promise.reject(notReadable());
    }
  }
  return new UnreadableFile([bytes(size, 7)], name, { type: 'application/octet-stream' });
}
