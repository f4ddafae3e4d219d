// The engine end to end in Node: fetch transport → fault proxy → Ceph RGW, signed by the
// reference signer. Every object is read back and compared by SHA-256.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignerApp } from '../../server-reference/app';
import type { SignerConfig } from '../../server-reference/config';
import { ConcurrencyPool } from '../../src/engine/concurrency-pool';
import type { UploadError } from '../../src/engine/errors';
import { createHttpSigner } from '../../src/engine/http-signer';
import { MiB } from '../../src/engine/limits';
import { createFetchTransport } from '../../src/engine/transport-fetch';
import { createUpload, type UploadOptions } from '../../src/engine/upload';
import { randomBytes } from '../support/fake-s3';
import { type FaultPlan, type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import {
  listMultipartUploads,
  makeS3Client,
  type S3TestConfig,
  sha256Hex,
  sha256OfObject,
  signerConfigFor,
} from '../support/s3';

const s3Config: S3TestConfig = inject('s3');
let s3: S3Client;
let proxy: FaultProxy;
const closers: Array<() => Promise<unknown>> = [];

/** A signer whose presigned URLs point at the fault proxy (SigV4 covers the Host header). */
async function startSigner(overrides: Partial<SignerConfig> = {}): Promise<string> {
  const config = signerConfigFor({ ...s3Config, endpoint: proxy.url }, overrides);
  const app: FastifyInstance = buildSignerApp(config, { authenticate: () => 'engine-tests' });
  closers.push(() => app.close());
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return `${address}${config.basePath}`;
}

function options(signerUrl: string, extra: Partial<UploadOptions> = {}): UploadOptions {
  return {
    signer: createHttpSigner(signerUrl),
    transport: createFetchTransport(),
    partSize: 5 * MiB,
    concurrency: 4,
    pool: new ConcurrencyPool(6),
    singlePutThreshold: 5 * MiB,
    backoff: { baseDelayMs: 50, maxDelayMs: 500 },
    ...extra,
  };
}

/** Part PUTs (attempts) the proxy saw, by part number. */
function partAttempts(): Map<number, number> {
  const counts = new Map<number, number>();
  for (const { request } of proxy.log) {
    const match = /[?&]partNumber=(\d+)/.exec(request.path);
    if (request.method === 'PUT' && match)
      counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + 1);
  }
  return counts;
}

beforeAll(async () => {
  s3 = makeS3Client(s3Config);
  proxy = await startFaultProxy({ target: s3Config.endpoint });
  closers.push(() => proxy.close());
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  s3.destroy();
});

describe('engine → reference signer → RGW', () => {
  it('survives resets, 503 SlowDown, a stall and latency, and stores an identical object', async () => {
    const signerUrl = await startSigner();
    const data = randomBytes(42 * MiB + 12_345, 7); // 9 parts, the last one short
    const seen = new Map<number, number>();
    const plan: FaultPlan = (request) => {
      const match = /[?&]partNumber=(\d+)/.exec(request.path);
      if (request.method !== 'PUT' || !match) return null;
      const part = Number(match[1]);
      const attempt = (seen.get(part) ?? 0) + 1;
      seen.set(part, attempt);
      if (attempt > 1) return null;
      if (part === 2) return { kind: 'reset', afterBodyBytes: 1 * MiB };
      if (part === 3) return { kind: 'slowDown' };
      if (part === 5) return { kind: 'stall', afterBodyBytes: 256 * 1024 };
      if (part === 6) return { kind: 'delay', ms: 300 };
      if (part === 8) return { kind: 'reset', afterBodyBytes: 0 };
      return null;
    };
    proxy.setPlan(plan);
    const upload = createUpload(new File([data], 'faults.bin'), options(signerUrl, { stallTimeoutMs: 1500 }));
    const causes: string[] = [];
    upload.subscribe((_state, event) => {
      if (event.type === 'retry') causes.push(`${event.partNumber}:${event.cause}`);
    });
    const result = await upload.start();
    proxy.setPlan(() => null);

    expect(result.size).toBe(data.length);
    expect(result.partCount).toBe(9);
    expect(result.etag).toMatch(/-9"?$/);
    expect(await sha256OfObject(s3, s3Config.bucket, result.key)).toBe(sha256Hex(data));
    expect(causes.sort()).toEqual(['2:network', '3:throttled', '5:timeout', '8:network']);
    const attempts = partAttempts();
    for (const part of [1, 4, 6, 7, 9]) expect(attempts.get(part)).toBe(1);
    for (const part of [2, 3, 5, 8]) expect(attempts.get(part)).toBe(2);
    expect(proxy.stats.faults).toMatchObject({ reset: 2, slowDown: 1, stall: 1, delay: 1 });
  });

  it('has a corrupted part rejected by RGW (BadDigest), sends it again, and verifies the object', async () => {
    const signerUrl = await startSigner();
    const data = randomBytes(17 * MiB, 11);
    let corrupted = false;
    proxy.setPlan((request) => {
      if (!corrupted && request.method === 'PUT' && request.path.includes('partNumber=2')) {
        corrupted = true;
        return { kind: 'corrupt', atBodyByte: 12_345 };
      }
      return null;
    });
    const upload = createUpload(new File([data], 'corrupt.bin'), options(signerUrl));
    const causes: string[] = [];
    upload.subscribe((_s, e) => {
      if (e.type === 'retry') causes.push(`${e.partNumber}:${e.cause}`);
    });
    const result = await upload.start();
    proxy.setPlan(() => null);
    expect(causes).toEqual(['2:corrupted']);
    expect(result.integrity).toBe('verified');
    expect(await sha256OfObject(s3, s3Config.bucket, result.key)).toBe(sha256Hex(data));
  });

  it('re-signs a URL that expired before S3 received the request', async () => {
    const signerUrl = await startSigner({ urlLifetimeSeconds: 2 });
    const data = randomBytes(12 * MiB, 3);
    let delayed = false;
    proxy.setPlan((request) => {
      if (!delayed && request.method === 'PUT' && request.path.includes('partNumber=2')) {
        delayed = true;
        return { kind: 'delay', ms: 3500 };
      }
      return null;
    });
    const upload = createUpload(new File([data], 'expiry.bin'), options(signerUrl, { concurrency: 1 }));
    const causes: string[] = [];
    upload.subscribe((_s, e) => {
      if (e.type === 'retry') causes.push(`${e.partNumber}:${e.cause}`);
    });
    const result = await upload.start();
    proxy.setPlan(() => null);
    expect(causes).toEqual(['2:expired']);
    expect(await sha256OfObject(s3, s3Config.bucket, result.key)).toBe(sha256Hex(data));
  });

  it('stores a 0-byte file as an empty object and small files with one PUT', async () => {
    const signerUrl = await startSigner();
    const empty = await createUpload(new File([], 'empty.txt'), options(signerUrl)).start();
    expect(empty).toMatchObject({ size: 0, uploadId: null });
    expect(await sha256OfObject(s3, s3Config.bucket, empty.key)).toBe(sha256Hex(new Uint8Array(0)));
    const small = randomBytes(300_000, 5);
    const one = await createUpload(new File([small], 'small.bin'), options(signerUrl)).start();
    expect(one.uploadId).toBeNull();
    expect(await sha256OfObject(s3, s3Config.bucket, one.key)).toBe(sha256Hex(small));
  });

  it('cancel leaves no multipart upload behind', async () => {
    const signerUrl = await startSigner();
    proxy.setPlan((request) => (request.method === 'PUT' ? { kind: 'rate', bytesPerSecond: 2 * MiB } : null));
    const upload = createUpload(new File([randomBytes(20 * MiB, 9)], 'cancel.bin'), options(signerUrl));
    const settled = upload.start().catch((error: UploadError) => error);
    await new Promise<void>((resolve) => {
      const stop = upload.subscribe((state) => {
        if (state.uploadId && state.bytesUploaded > 1 * MiB) {
          stop();
          resolve();
        }
      });
    });
    const key = upload.getState().key as string;
    await upload.cancel();
    proxy.setPlan(() => null);
    expect(((await settled) as UploadError).code).toBe('CANCELLED');
    // A part still arriving after the abort may recreate nothing: the upload id is gone.
    expect(await listMultipartUploads(s3, s3Config.bucket, key)).toEqual([]);
  });

  it('reports a signer that is down, and one answering garbage, with actionable errors', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = await createUpload(
      new File([randomBytes(1000)], 'a.bin'),
      options(`http://127.0.0.1:${deadPort}/api/uploads`, { maxPartAttempts: 2 }),
    )
      .start()
      .catch((error: UploadError) => error);
    expect((down as UploadError).code).toBe('SIGNER_UNREACHABLE');
    expect((down as UploadError).message).toContain(`127.0.0.1:${deadPort}`);

    const garbage: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login page</html>');
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => garbage.close(resolve)));
    const port = (garbage.address() as AddressInfo).port;
    const bad = await createUpload(
      new File([randomBytes(1000)], 'a.bin'),
      options(`http://127.0.0.1:${port}/api/uploads`),
    )
      .start()
      .catch((error: UploadError) => error);
    expect((bad as UploadError).code).toBe('SIGNER_BAD_RESPONSE');
  });
});
