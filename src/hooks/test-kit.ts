// Test support for the hook and component tests: the in-memory S3 + signer of
// test/support/fake-s3.ts behind a transport that can hold requests to observe "uploading".
import { createFakeS3, randomBytes } from '../../test/support/fake-s3';
import { ConcurrencyPool, type Transport, TransportFailure, type TransportRequest } from '../engine/index';

export const PART = 1024;

interface Held {
  request: TransportRequest;
  go(): void;
}

export function createTestUploader() {
  const s3 = createFakeS3();
  const held: Held[] = [];
  let holding = false;
  let inFlight = 0;
  let peak = 0;
  const drop = (entry: Held) => held.splice(held.indexOf(entry), 1);

  const transport: Transport = async (request) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    try {
      if (holding) {
        await new Promise<void>((resolve, reject) => {
          const entry: Held = { request, go: () => resolve() };
          held.push(entry);
          request.signal.addEventListener(
            'abort',
            () => {
              drop(entry);
              reject(new TransportFailure('aborted', 'aborted'));
            },
            { once: true },
          );
        });
      }
      return await s3.transport(request);
    } finally {
      inFlight -= 1;
    }
  };

  return {
    s3,
    /** Engine options that make a few kB a multipart upload with a progress event for every change. */
    options: {
      signer: s3.signer,
      transport,
      pool: new ConcurrencyPool(6),
      partSize: PART,
      limits: { minPartSize: PART, maxPartSize: 1024 * 1024, maxParts: 10_000 },
      singlePutThreshold: 0,
      integrity: false,
      progressIntervalMs: 0,
    },
    /** Requests wait until release(). */
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const entry of held.splice(0)) entry.go();
    },
    /** Reports `fraction` of every held request's body as sent. */
    progress(fraction: number) {
      for (const { request } of held) request.onProgress?.(Math.floor(request.body.size * fraction));
    },
    get heldCount() {
      return held.length;
    },
    get peakInFlight() {
      return peak;
    },
    creates: () => s3.calls.filter((call) => call === 'create').length,
  };
}

export function makeFile(name: string, size = 3000): File {
  return new File([randomBytes(size)], name, { type: 'application/octet-stream' });
}

/** A 200 without a readable ETag: what a bucket whose CORS hides ETag looks like to the browser. */
export const hiddenEtag = { status: 200, header: () => null, body: '' };
