// Presigned URLs are computed offline: fake credentials, an endpoint nothing listens on.
import { S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSignerApp, type SignerAppOptions } from './app';
import type { SignerConfig } from './config';
import { createS3Client } from './s3';

const s3Settings = {
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  bucket: 'bucket',
  accessKeyId: 'AKIAFAKEFAKEFAKE',
  secretAccessKey: 'fake-secret',
  forcePathStyle: true,
};
const config: SignerConfig = {
  s3: s3Settings,
  port: 0,
  host: '127.0.0.1',
  allowedOrigins: [],
  urlLifetimeSeconds: 900,
  basePath: '/api/uploads',
  // Signing is what this file checks; authentication is app.test.ts's business.
  auth: { mode: 'none' },
};
const NOW = Date.parse('2026-05-06T07:08:09.250Z');
const apps: ReturnType<typeof buildSignerApp>[] = [];
function build(s3: Partial<SignerConfig['s3']> = {}, options: SignerAppOptions = {}) {
  const built = buildSignerApp({ ...config, s3: { ...s3Settings, ...s3 } }, { now: () => NOW, ...options });
  apps.push(built);
  return built;
}
const app = build();
afterAll(() => Promise.all(apps.map((a) => a.close())));

const md5 = '1B2M2Y8AsgTpgAmY7PhCfg=='; // MD5 of the empty string
const key = 'uploads/anonymous/2026-05-06/AbCdEfGhIjKlMn_-/f.bin';

async function sign(parts: unknown[], extra: Record<string, unknown> = {}, target = app) {
  const res = await target.inject({
    method: 'POST',
    url: '/api/uploads/multipart/sign',
    payload: { key, uploadId: 'up-1', parts, ...extra },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    parts: { partNumber: number; url: string; headers?: Record<string, string>; expiresAt: number }[];
    serverTime: number;
  };
}

function query(url: string): URLSearchParams {
  return new URL(url).searchParams;
}

describe('presigned UploadPart URLs', () => {
  it('the SDK default would add x-amz-checksum-* (the trap the signer avoids)', async () => {
    const naive = new S3Client({
      region: 'us-east-1',
      endpoint: s3Settings.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    });
    const url = await getSignedUrl(
      naive,
      new UploadPartCommand({ Bucket: 'b', Key: 'k', UploadId: 'u', PartNumber: 1 }),
    );
    expect(url.toLowerCase()).toContain('x-amz-checksum');
  });

  it('the signer client adds no x-amz-checksum-* parameter', async () => {
    const url = await getSignedUrl(
      createS3Client(s3Settings),
      new UploadPartCommand({ Bucket: 'b', Key: 'k', UploadId: 'u', PartNumber: 1 }),
    );
    expect(url.toLowerCase()).not.toContain('checksum');
  });

  it('binds Content-Length always, and Content-MD5 when given', async () => {
    const out = await sign([
      { partNumber: 1, contentLength: 5 * 1024 * 1024 },
      { partNumber: 2, contentLength: 10, contentMd5: md5 },
    ]);
    expect(out.parts.map((p) => p.partNumber)).toEqual([1, 2]);
    const [plain, bound] = out.parts;
    for (const part of out.parts) {
      expect(part.url.toLowerCase()).not.toContain('checksum');
      const q = query(part.url);
      expect(q.get('partNumber')).toBe(String(part.partNumber));
      expect(q.get('uploadId')).toBe('up-1');
      expect(q.get('X-Amz-Expires')).toBe('900');
      expect(new URL(part.url).pathname).toBe(`/bucket/${key}`);
    }
    expect(query(plain?.url ?? '').get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect(plain?.headers).toBeUndefined();
    expect(query(bound?.url ?? '').get('X-Amz-SignedHeaders')).toBe('content-length;content-md5;host');
    expect(bound?.headers).toEqual({ 'Content-MD5': md5 });
  });

  it('reports expiresAt = signing time (whole second) + lifetime and serverTime on the signer clock', async () => {
    const out = await sign([{ partNumber: 1, contentLength: 1 }]);
    expect(out.serverTime).toBe(NOW);
    expect(out.parts[0]?.expiresAt).toBe(Date.parse('2026-05-06T07:08:09Z') + 900_000);
    expect(query(out.parts[0]?.url ?? '').get('X-Amz-Date')).toBe('20260506T070809Z');
  });

  it('signs with s3Time when it is within 15 minutes of the signer clock, else ignores it', async () => {
    const near = NOW - 14 * 60_000;
    const out = await sign([{ partNumber: 1, contentLength: 1 }], { s3Time: near });
    expect(query(out.parts[0]?.url ?? '').get('X-Amz-Date')).toBe('20260506T065409Z');
    // expiry stays on the signer's clock
    expect(out.parts[0]?.expiresAt).toBe(Date.parse('2026-05-06T07:08:09Z') + 900_000);
    const far = await sign([{ partNumber: 1, contentLength: 1 }], { s3Time: NOW - 16 * 60_000 });
    expect(query(far.parts[0]?.url ?? '').get('X-Amz-Date')).toBe('20260506T070809Z');
  });

  it('single PUT binds Content-Length, Content-Type and Content-MD5 and returns the last two as headers', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/uploads/single',
      payload: { name: 'a.txt', size: 0, type: 'text/plain', contentMd5: md5 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out.key).toMatch(/^uploads\/anonymous\/2026-05-06\/[^/]+\/a\.txt$/);
    expect(out.headers).toEqual({ 'Content-Type': 'text/plain', 'Content-MD5': md5 });
    expect(query(out.url).get('X-Amz-SignedHeaders')).toBe('content-length;content-md5;content-type;host');
    expect(out.url.toLowerCase()).not.toContain('checksum');
    expect(out.serverTime).toBe(NOW);
  });

  it('single PUT without a type binds only Content-Length', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/uploads/single',
      payload: { name: 'a', size: 1, type: '' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().headers).toBeUndefined();
    expect(query(res.json().url).get('X-Amz-SignedHeaders')).toBe('content-length;host');
  });
});

describe('part endpoints (S3_PART_ENDPOINTS)', () => {
  const A = 'http://127.0.0.1:9';
  const B = 'http://localhost:9';
  const C = 'http://127.0.0.1:10';
  const parts = (numbers: number[]) =>
    numbers.map((partNumber) => ({ partNumber, contentLength: 10 * partNumber, contentMd5: md5 }));
  const hosts = (out: Awaited<ReturnType<typeof sign>>) => out.parts.map((p) => new URL(p.url).host);

  it('without them every part goes to the main endpoint', async () => {
    const out = await sign(parts([1, 2, 3, 4]));
    expect(hosts(out)).toEqual(Array(4).fill('127.0.0.1:9'));
  });

  it('with one, parts 1..4 alternate main, extra, main, extra, each signed as on one endpoint', async () => {
    const rotating = build({ partEndpoints: [B] });
    const out = await sign(parts([1, 2, 3, 4]), {}, rotating);
    expect(hosts(out)).toEqual(['127.0.0.1:9', 'localhost:9', '127.0.0.1:9', 'localhost:9']);
    for (const part of out.parts) {
      const q = query(part.url);
      expect(new URL(part.url).pathname).toBe(`/bucket/${key}`);
      expect(q.get('partNumber')).toBe(String(part.partNumber));
      expect(q.get('X-Amz-SignedHeaders')).toBe('content-length;content-md5;host');
      expect(part.headers).toEqual({ 'Content-MD5': md5 });
      expect(part.url.toLowerCase()).not.toContain('checksum');
      // Exactly the URL the signer's client of that endpoint gives (the signature covers the host
      // and the Content-Length): only the endpoint differs.
      const endpoint = part.partNumber % 2 === 1 ? A : B;
      const expected = await getSignedUrl(
        createS3Client({ ...s3Settings, endpoint }),
        new UploadPartCommand({
          Bucket: 'bucket',
          Key: key,
          UploadId: 'up-1',
          PartNumber: part.partNumber,
          ContentLength: 10 * part.partNumber,
          ContentMD5: md5,
        }),
        { expiresIn: 900, signingDate: new Date(NOW), signableHeaders: new Set(['content-length']) },
      );
      expect(part.url).toBe(expected);
    }
  });

  it('with two, parts rotate over three hosts by part number, whatever the request order', async () => {
    const rotating = build({ partEndpoints: [B, C] });
    const out = await sign(parts([6, 1, 5, 2, 4, 3, 7]), {}, rotating);
    const byNumber = Object.fromEntries(out.parts.map((p) => [p.partNumber, new URL(p.url).host]));
    expect(byNumber).toEqual({
      1: '127.0.0.1:9',
      2: 'localhost:9',
      3: '127.0.0.1:10',
      4: '127.0.0.1:9',
      5: 'localhost:9',
      6: '127.0.0.1:10',
      7: '127.0.0.1:9',
    });
    // A part signed again (a retry) keeps its host.
    expect(hosts(await sign(parts([5]), {}, rotating))).toEqual(['localhost:9']);
  });

  it('the main endpoint is the injected client; the extra ones come from the config', async () => {
    const injected = build(
      { partEndpoints: [B] },
      { s3Client: createS3Client({ ...s3Settings, endpoint: 'http://127.0.0.2:9' }) },
    );
    expect(hosts(await sign(parts([1, 2, 3]), {}, injected))).toEqual([
      '127.0.0.2:9',
      'localhost:9',
      '127.0.0.2:9',
    ]);
  });

  it('single PUT stays on the main endpoint', async () => {
    const rotating = build({ partEndpoints: [B] });
    for (let i = 0; i < 2; i++) {
      const res = await rotating.inject({
        method: 'POST',
        url: '/api/uploads/single',
        payload: { name: 'a', size: 1, type: '' },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(new URL(res.json().url).host).toBe('127.0.0.1:9');
    }
  });
});
