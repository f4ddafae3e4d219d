// The reference signer under attack, over HTTP, with a real S3 (Ceph RGW) behind it: missing and
// wrong credentials, other people's uploads, key traversal, absurd names, sizes, part counts and
// types, malformed and huge bodies, flooding. After every probe the bucket must be exactly as it
// was: no object, no multipart upload, no part written.
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignerApp } from '../../server-reference/app';
import type { SignerConfig } from '../../server-reference/config';
import { listMultipartUploads, makeS3Client, type S3TestConfig, signerConfigFor } from '../support/s3';

const MiB = 1024 * 1024;
const s3Config: S3TestConfig = inject('s3');
const run = randomBytes(4).toString('hex');
const ALICE = `alice-${run}`;
const BOB = `bob-${run}`;
const TOKENS: Record<string, string> = {
  [ALICE]: `alice-${randomBytes(16).toString('hex')}`,
  [BOB]: `bob-${randomBytes(16).toString('hex')}`,
};
const MAX_OBJECT_BYTES = 6 * MiB;
const MAX_PARTS_PER_SIGN = 10;

let s3: S3Client;
const started: FastifyInstance[] = [];
let base: string;

async function startSigner(overrides: Partial<SignerConfig> = {}): Promise<string> {
  const config = signerConfigFor(s3Config, {
    auth: { mode: 'tokens', tokens: Object.entries(TOKENS).map(([owner, token]) => ({ token, owner })) },
    maxObjectBytes: MAX_OBJECT_BYTES,
    allowedTypes: ['image/*', 'application/pdf', 'application/octet-stream'],
    maxPartsPerSignRequest: MAX_PARTS_PER_SIGN,
    rateLimit: { perIp: 100_000, perOwner: 100_000, windowSeconds: 60 },
    ...overrides,
  });
  const app = buildSignerApp(config);
  started.push(app);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return `${address}${config.basePath}`;
}

beforeAll(async () => {
  s3 = makeS3Client(s3Config);
  base = await startSigner();
});

afterAll(async () => {
  await Promise.all(started.map((app) => app.close()));
  s3?.destroy();
});

// ---- HTTP ------------------------------------------------------------------------------------
// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
type Json = any;

interface Answer {
  status: number;
  json: Json;
  headers: Headers;
}

interface CallOptions {
  /** Owner whose token to send; null: no Authorization header. */
  as?: string | null;
  /** Raw Authorization header (overrides `as`). */
  authorization?: string;
  /** Send `body` as it is (a string or bytes), not JSON.stringify'd. */
  raw?: boolean;
  contentType?: string;
  base?: string;
}

async function call(path: string, body: unknown, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  const as = options.as === undefined ? ALICE : options.as;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (as !== null) headers.authorization = `Bearer ${TOKENS[as]}`;
  const res = await fetch(`${options.base ?? base}${path}`, {
    method: 'POST',
    headers,
    body: options.raw ? (body as string | Uint8Array<ArrayBuffer>) : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`signer answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  // Every answer, refusals included, is a JSON body with the signer's clock and no caching.
  expect(Number.isNaN(Date.parse(res.headers.get('date') ?? ''))).toBe(false);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  return { status: res.status, json, headers: res.headers };
}

function expectRefused(answer: Answer, status: number, code: string, what = ''): void {
  expect(answer.status, `${what} → ${JSON.stringify(answer.json)}`).toBe(status);
  expect(answer.json.error.code, what).toBe(code);
  expect(answer.json.error.message, what).toEqual(expect.any(String));
}

// ---- bucket state ----------------------------------------------------------------------------
/** Every object, multipart upload and (for our owners' uploads) part in the bucket. */
async function bucketState(): Promise<string[]> {
  const state: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: s3Config.bucket, ContinuationToken }));
    for (const o of out.Contents ?? []) state.push(`object ${o.Key} ${o.Size} ${o.ETag}`);
    ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (ContinuationToken);
  for (const u of await listMultipartUploads(s3, s3Config.bucket)) {
    state.push(`upload ${u.key} ${u.uploadId}`);
    if (!u.key.includes(run)) continue;
    const parts = await s3.send(
      new ListPartsCommand({ Bucket: s3Config.bucket, Key: u.key, UploadId: u.uploadId }),
    );
    for (const p of parts.Parts ?? []) state.push(`part ${u.uploadId} ${p.PartNumber} ${p.Size} ${p.ETag}`);
  }
  return state.sort();
}

/** Nothing at all under `uploads/<owner>/`: no object, no multipart upload. */
async function expectPrefixEmpty(owner: string): Promise<void> {
  const prefix = `uploads/${owner}/`;
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: s3Config.bucket, Prefix: prefix }));
  expect(objects.Contents ?? [], `objects under ${prefix}`).toEqual([]);
  expect(await listMultipartUploads(s3, s3Config.bucket, prefix), `uploads under ${prefix}`).toEqual([]);
}

/** Runs `probe` and checks the bucket did not change and the attackers' prefixes stayed empty. */
async function nothingWritten(probe: () => Promise<void>, emptyPrefixes: string[] = [BOB]): Promise<void> {
  const before = await bucketState();
  await probe();
  expect(await bucketState()).toEqual(before);
  for (const owner of emptyPrefixes) await expectPrefixEmpty(owner);
}

// ---- fixtures --------------------------------------------------------------------------------
const createBody = (over: Record<string, unknown> = {}) => ({
  name: 'photo.jpg',
  size: 10,
  type: 'image/jpeg',
  partSize: 10,
  partCount: 1,
  ...over,
});

async function createUpload(as = ALICE, over: Record<string, unknown> = {}) {
  const res = await call('/multipart', createBody(over), { as });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json as { key: string; uploadId: string };
}

async function abort(ref: { key: string; uploadId: string }, as = ALICE): Promise<void> {
  const res = await call('/multipart/abort', ref, { as });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
}

async function put(url: string, bytes: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'PUT', headers, body: new Blob([bytes]) });
  return { status: res.status, etag: res.headers.get('etag'), body: await res.text() };
}

const KEY_SHAPE = (owner: string) =>
  new RegExp(`^uploads/${owner}/\\d{4}-\\d{2}-\\d{2}/[A-Za-z0-9_-]{16}/([^/]+)$`);

// ---- the probes ------------------------------------------------------------------------------
describe('authentication (401 UNAUTHENTICATED)', () => {
  it('every operation refuses missing, wrong and malformed credentials, writing nothing', async () => {
    const ref = { key: `uploads/${ALICE}/2026-01-01/AbCdEfGhIjKlMn_-/f`, uploadId: 'u' };
    const requests: [string, unknown][] = [
      ['/multipart', createBody()],
      ['/multipart/sign', { ...ref, parts: [{ partNumber: 1, contentLength: 1 }] }],
      ['/multipart/list', ref],
      ['/multipart/complete', { ...ref, parts: [{ partNumber: 1, etag: '"e"' }] }],
      ['/multipart/abort', ref],
      ['/single', { name: 'a.pdf', size: 1, type: 'application/pdf' }],
    ];
    const credentials: [string, CallOptions][] = [
      ['no header', { as: null }],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['wrong token', { authorization: `Bearer ${randomBytes(16).toString('hex')}` }],
      ['token prefix', { authorization: `Bearer ${TOKENS[ALICE]?.slice(0, -1)}` }],
      ['token + 1 char', { authorization: `Bearer ${TOKENS[ALICE]}0` }],
      ['other scheme', { authorization: `Basic ${TOKENS[ALICE]}` }],
      ['owner name as token', { authorization: `Bearer ${ALICE}` }],
      ['huge header', { authorization: `Bearer ${'a'.repeat(8000)}` }],
    ];
    await nothingWritten(async () => {
      for (const [path, body] of requests) {
        for (const [label, options] of credentials) {
          const res = await call(path, body, options);
          expectRefused(res, 401, 'UNAUTHENTICATED', `${path} ${label}`);
          expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
        }
      }
    }, [ALICE, BOB]);
  });
});

describe("another owner's upload (403 FORBIDDEN)", () => {
  it('bob can neither sign, list, complete nor abort alice’s upload; it stays untouched', async () => {
    const ref = await createUpload(ALICE, { name: 'alice.bin', size: 20, partSize: 10, partCount: 2 });
    const signed = await call('/multipart/sign', { ...ref, parts: [{ partNumber: 1, contentLength: 10 }] });
    expect(signed.status).toBe(200);
    const part = await put(signed.json.parts[0].url, new Uint8Array(randomBytes(10)));
    expect(part.status).toBe(200);

    await nothingWritten(async () => {
      const attempts: [string, unknown][] = [
        ['/multipart/sign', { ...ref, parts: [{ partNumber: 2, contentLength: 10 }] }],
        ['/multipart/list', ref],
        ['/multipart/complete', { ...ref, parts: [{ partNumber: 1, etag: part.etag }] }],
        ['/multipart/abort', ref],
      ];
      for (const [path, body] of attempts) {
        expectRefused(await call(path, body, { as: BOB }), 403, 'FORBIDDEN', path);
      }
    });
    // Still alice's, with her one part.
    const listed = await call('/multipart/list', ref);
    expect(listed.json.parts).toEqual([{ partNumber: 1, etag: part.etag, size: 10 }]);
    await abort(ref);
  });

  it('keys that try to escape the caller’s prefix are refused', async () => {
    const real = await createUpload(ALICE);
    const id = real.key.split('/')[3];
    const tail = real.key.split('/').slice(2).join('/');
    const keys = [
      `uploads/${BOB}/../${ALICE}/${tail}`,
      `uploads/${BOB}/2026-01-01/${id}/../../../${ALICE}/${tail}`,
      `uploads/${BOB}%2F..%2F${ALICE}/${tail}`,
      `uploads/${BOB}/${tail}/../../${ALICE}/${tail}`,
      `../../etc/passwd`,
      `/etc/passwd`,
      `uploads/${BOB}/2026-01-01/${id}/..`,
      `uploads/${BOB}/x`,
      `uploads/${BOB}`,
      `uploads/${BOB}/2026-01-01/${id}/f\u0000`,
      `uploads/${BOB}/2026-01-01/${id}/${'€'.repeat(340)}`,
      real.key.toUpperCase(),
      ` ${real.key}`,
    ];
    await nothingWritten(async () => {
      for (const key of keys) {
        for (const [path, body] of [
          ['/multipart/sign', { key, uploadId: real.uploadId, parts: [{ partNumber: 1, contentLength: 1 }] }],
          ['/multipart/list', { key, uploadId: real.uploadId }],
          ['/multipart/complete', { key, uploadId: real.uploadId, parts: [{ partNumber: 1, etag: '"e"' }] }],
          ['/multipart/abort', { key, uploadId: real.uploadId }],
        ] as const) {
          const res = await call(path, body, { as: BOB });
          expect([400, 403], `${path} ${JSON.stringify(key)} → ${res.status}`).toContain(res.status);
        }
      }
    });
    await abort(real);
  });
});

describe('file names are hints: sanitised, under the caller’s prefix', () => {
  const names: [string, string, RegExp][] = [
    ['traversal', '../../etc/passwd', /^passwd$/],
    ['windows traversal', '..\\..\\Windows\\system32\\cmd.exe', /^cmd\.exe$/],
    ['encoded traversal', '..%2F..%2Fetc%2Fpasswd', /^_2F\._2Fetc_2Fpasswd$/],
    ['control characters', 'a\u0000b\u0007c\r\nd\u001b[31m.pdf', /^abcd_31m\.pdf$/],
    ['RTL override', 'invoice\u202egpj.exe', /^invoicegpj\.exe$/],
    ['zero-width and BOM', '\ufeffre\u200bport.pdf', /^report\.pdf$/],
    ['empty', '', /^file$/],
    ['only dots', '....', /^file$/],
    ['leading dash', '--help', /^help$/],
    ['1,000 characters', `${'é'.repeat(995)}.pdf`, /^é{98}\.pdf$/],
    ['unpaired surrogate', 'a\ud800b.pdf', /^ab\.pdf$/],
    ['Unicode kept readable', 'Отчёт 2026 — 東京 👨‍👩‍👧.pdf', /^Отчёт 2026 — 東京 👨‍👩‍👧\.pdf$/],
  ];

  it.each(names)('single PUT: %s', async (_label, name, expected) => {
    await nothingWritten(async () => {
      const res = await call('/single', { name, size: 1, type: 'application/pdf' }, { as: BOB });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      const match = KEY_SHAPE(BOB).exec(res.json.key);
      expect(match, res.json.key).not.toBeNull();
      expect(match?.[1]).toMatch(expected);
      // The URL points at exactly that key in the bucket.
      const url = new URL(res.json.url);
      expect(decodeURIComponent(url.pathname)).toBe(`/${s3Config.bucket}/${res.json.key}`);
      expect(url.search).not.toMatch(/x-amz-checksum/i);
    });
  });

  it('multipart create: the key is under the prefix; aborting it leaves nothing', async () => {
    await nothingWritten(async () => {
      for (const [, name, expected] of names) {
        const ref = await createUpload(BOB, { name, type: 'application/octet-stream' });
        const match = KEY_SHAPE(BOB).exec(ref.key);
        expect(match?.[1], JSON.stringify(name)).toMatch(expected);
        await abort(ref, BOB);
      }
    });
  });

  it('a 10 KB name is refused (400), as are names that are not strings', async () => {
    await nothingWritten(async () => {
      for (const name of ['x'.repeat(10 * 1024), 42, null, ['a'], { toString: 'x' }]) {
        expectRefused(
          await call('/single', { name, size: 1, type: 'application/pdf' }, { as: BOB }),
          400,
          'BAD_REQUEST',
        );
        expectRefused(await call('/multipart', createBody({ name }), { as: BOB }), 400, 'BAD_REQUEST');
      }
    });
  });
});

describe('sizes and part counts', () => {
  it('oversize, negative and absurd sizes are refused before anything is written', async () => {
    await nothingWritten(async () => {
      expectRefused(
        await call(
          '/multipart',
          createBody({ size: MAX_OBJECT_BYTES + 1, partSize: 5 * MiB, partCount: 2 }),
          { as: BOB },
        ),
        413,
        'TOO_LARGE',
      );
      expectRefused(
        await call(
          '/single',
          { name: 'a.pdf', size: MAX_OBJECT_BYTES + 1, type: 'application/pdf' },
          { as: BOB },
        ),
        413,
        'TOO_LARGE',
      );
      for (const size of [-1, -0.5, 1.5, 2 ** 53, 1e308, '10', null, true]) {
        expectRefused(
          await call('/multipart', createBody({ size }), { as: BOB }),
          400,
          'BAD_REQUEST',
          String(size),
        );
        expectRefused(
          await call('/single', { name: 'a', size, type: 'application/pdf' }, { as: BOB }),
          400,
          'BAD_REQUEST',
        );
      }
      for (const partSize of [0, -1, 6 * 1024 ** 3]) {
        expectRefused(await call('/multipart', createBody({ partSize }), { as: BOB }), 400, 'BAD_REQUEST');
      }
      // partCount must match ceil(size / partSize).
      expectRefused(await call('/multipart', createBody({ partCount: 2 }), { as: BOB }), 400, 'BAD_REQUEST');
    });
  });

  it('sign refuses too many parts, bad lengths, and parts adding up past the object limit', async () => {
    const ref = await createUpload(BOB, { name: 'big.bin', type: 'application/octet-stream' });
    await nothingWritten(async () => {
      const many = (n: number, contentLength = 1) =>
        Array.from({ length: n }, (_, i) => ({ partNumber: i + 1, contentLength }));
      expectRefused(
        await call('/multipart/sign', { ...ref, parts: many(MAX_PARTS_PER_SIGN + 1) }, { as: BOB }),
        400,
        'BAD_REQUEST',
      );
      // 10,000 parts do not even fit the sign route's body limit.
      expectRefused(
        await call('/multipart/sign', { ...ref, parts: many(10_000) }, { as: BOB }),
        413,
        'TOO_LARGE',
      );
      expectRefused(
        await call('/multipart/sign', { ...ref, parts: many(2, 4 * MiB) }, { as: BOB }),
        413,
        'TOO_LARGE',
      );
      for (const contentLength of [-1, 5 * 1024 ** 3 + 1, 0.5]) {
        expectRefused(
          await call('/multipart/sign', { ...ref, parts: [{ partNumber: 1, contentLength }] }, { as: BOB }),
          400,
          'BAD_REQUEST',
        );
      }
      for (const partNumber of [0, 10_001, -1, 1.5]) {
        expectRefused(
          await call('/multipart/sign', { ...ref, parts: [{ partNumber, contentLength: 1 }] }, { as: BOB }),
          400,
          'BAD_REQUEST',
        );
      }
      expectRefused(
        await call(
          '/multipart/complete',
          { ...ref, parts: many(10_001).map((p) => ({ partNumber: p.partNumber, etag: '"e"' })) },
          { as: BOB },
        ),
        400,
        'BAD_REQUEST',
      );
    }, []);
    await abort(ref, BOB);
    await expectPrefixEmpty(BOB);
  });

  it('the declared size is binding: S3 refuses a body of another size (Content-Length is signed)', async () => {
    const ref = await createUpload(BOB, { name: 'bound.bin', type: 'application/octet-stream' });
    const single = await call(
      '/single',
      { name: 'bound.pdf', size: 10, type: 'application/pdf' },
      { as: BOB },
    );
    expect(single.status).toBe(200);
    const signed = await call(
      '/multipart/sign',
      { ...ref, parts: [{ partNumber: 1, contentLength: 10 }] },
      { as: BOB },
    );
    expect(signed.status).toBe(200);
    await nothingWritten(async () => {
      for (const bytes of [11, 9, MiB]) {
        const body = new Uint8Array(randomBytes(bytes));
        const partPut = await put(signed.json.parts[0].url, body);
        expect(partPut.status, partPut.body).toBe(403);
        expect(partPut.body).toMatch(/SignatureDoesNotMatch/);
        const singlePut = await put(single.json.url, body, single.json.headers);
        expect(singlePut.status, singlePut.body).toBe(403);
      }
    }, []);
    await abort(ref, BOB);
    await expectPrefixEmpty(BOB);
  });

  it('parts signed in separate requests that add up past the limit: complete refuses (413) and deletes the object', async () => {
    const ref = await createUpload(BOB, {
      name: 'sneaky.bin',
      type: 'application/octet-stream',
      size: 6 * MiB,
      partSize: 5 * MiB,
      partCount: 2,
    });
    const etags: string[] = [];
    for (const partNumber of [1, 2]) {
      // Each request alone is within the limit.
      const signed = await call(
        '/multipart/sign',
        { ...ref, parts: [{ partNumber, contentLength: 5 * MiB }] },
        { as: BOB },
      );
      expect(signed.status).toBe(200);
      const res = await put(signed.json.parts[0].url, new Uint8Array(randomBytes(5 * MiB)));
      expect(res.status, res.body).toBe(200);
      etags.push(res.etag as string);
    }
    const done = await call(
      '/multipart/complete',
      { ...ref, parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) },
      { as: BOB },
    );
    expectRefused(done, 413, 'TOO_LARGE');
    expect(done.json.error.message).toMatch(/deleted/);
    await expectPrefixEmpty(BOB);
  });
});

describe('content types (415 UNSUPPORTED_TYPE)', () => {
  it('types outside the allowed patterns, and empty ones, are refused; malformed ones are 400', async () => {
    await nothingWritten(async () => {
      for (const type of [
        'text/html',
        'application/javascript',
        '',
        'application/pdfx',
        'imagex/png',
        'IMAGE-X/png',
      ]) {
        expectRefused(
          await call('/multipart', createBody({ type }), { as: BOB }),
          415,
          'UNSUPPORTED_TYPE',
          type,
        );
        expectRefused(
          await call('/single', { name: 'a', size: 1, type }, { as: BOB }),
          415,
          'UNSUPPORTED_TYPE',
          type,
        );
      }
      for (const type of [
        'text/html\r\nX-Evil: 1',
        'image/png\u0000',
        'x'.repeat(300),
        'imäge/png',
        'image',
        7,
      ]) {
        expectRefused(await call('/multipart', createBody({ type }), { as: BOB }), 400, 'BAD_REQUEST');
        expectRefused(await call('/single', { name: 'a', size: 1, type }, { as: BOB }), 400, 'BAD_REQUEST');
      }
    });
  });
});

describe('malformed and huge requests', () => {
  it('malformed JSON, wrong shapes and wrong content types → 400, never 5xx', async () => {
    const bodies: [string, CallOptions][] = [
      ['{', { raw: true }],
      ['', { raw: true }],
      ['null', { raw: true }],
      ['[]', { raw: true }],
      ['"text"', { raw: true }],
      ['1e400', { raw: true }],
      ['{"name":"a","size":1e400,"type":"","partSize":1,"partCount":1}', { raw: true }],
      [
        '{"__proto__":{"admin":true},"name":"a","size":1,"type":"","partSize":1,"partCount":1}',
        { raw: true },
      ],
      ['{"constructor":{"prototype":{"x":1}}}', { raw: true }],
      [`${'['.repeat(20_000)}${']'.repeat(20_000)}`, { raw: true }],
      [`{"name":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, { raw: true }],
      ['{"name":"\\ud800","size":1,"type":"","partSize":1,"partCount":1,"x":"\\u0000"}', { raw: true }],
      [JSON.stringify(createBody()), { raw: true, contentType: 'text/plain' }],
      [JSON.stringify(createBody()), { raw: true, contentType: 'application/x-www-form-urlencoded' }],
      [JSON.stringify(createBody()), { raw: true, contentType: 'application/jsonx' }],
    ];
    await nothingWritten(async () => {
      for (const path of [
        '/multipart',
        '/multipart/sign',
        '/multipart/list',
        '/multipart/complete',
        '/multipart/abort',
        '/single',
      ]) {
        for (const [body, options] of bodies) {
          const res = await call(path, body, { as: BOB, ...options });
          expectRefused(
            res,
            400,
            'BAD_REQUEST',
            `${path} ${body.slice(0, 40)} (${options.contentType ?? 'json'})`,
          );
        }
        // Invalid UTF-8.
        const bytes = new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
        expectRefused(await call(path, bytes, { as: BOB, raw: true }), 400, 'BAD_REQUEST');
      }
    });
  });

  it('bodies over the limit → 413 TOO_LARGE (64 KiB; 1 MiB for complete), also when streamed', async () => {
    await nothingWritten(async () => {
      const big = JSON.stringify(createBody({ name: 'x'.repeat(100 * 1024) }));
      for (const path of [
        '/multipart',
        '/multipart/sign',
        '/multipart/list',
        '/multipart/abort',
        '/single',
      ]) {
        expectRefused(await call(path, big, { as: BOB, raw: true }), 413, 'TOO_LARGE', path);
      }
      const huge = JSON.stringify({ key: 'k', uploadId: 'u', parts: [], pad: 'x'.repeat(2 * MiB) });
      expectRefused(await call('/multipart/complete', huge, { as: BOB, raw: true }), 413, 'TOO_LARGE');
      // Chunked (no Content-Length): counted as it arrives.
      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(4096)));
          controller.close();
        },
      });
      const res = await fetch(`${base}/single`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS[BOB]}` },
        body: chunks,
        duplex: 'half',
      } as RequestInit & { duplex: 'half' });
      expect(res.status).toBe(413);
      expect((await res.json()).error.code).toBe('TOO_LARGE');
    });
  });

  it('unknown routes and methods → 404 JSON, with the security headers', async () => {
    for (const [method, path] of [
      ['GET', '/multipart'],
      ['PUT', '/single'],
      ['DELETE', '/multipart/abort'],
      ['POST', '/../../etc/passwd'],
      ['POST', '/%2e%2e/admin'],
    ]) {
      const res = await fetch(`${base}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await res.json()).error.code).toBe('NOT_FOUND');
      expect(res.headers.get('date')).not.toBeNull();
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });
});

describe('flooding (429 RATE_LIMITED with Retry-After)', () => {
  it('per address: unauthenticated guessing is throttled too', async () => {
    const limited = await startSigner({ rateLimit: { perIp: 5, perOwner: 0, windowSeconds: 30 } });
    await nothingWritten(async () => {
      const statuses: number[] = [];
      let last: Answer | undefined;
      for (let i = 0; i < 8; i++) {
        last = await call(
          '/single',
          { name: 'a', size: 1, type: 'application/pdf' },
          {
            base: limited,
            authorization: `Bearer guess-${i}-0123456789abcdef`,
          },
        );
        statuses.push(last.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      expectRefused(last as Answer, 429, 'RATE_LIMITED');
      const retryAfter = Number(last?.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(30);
      // Even the right token now waits: the address is over its budget.
      expectRefused(
        await call('/single', { name: 'a', size: 1, type: 'application/pdf' }, { base: limited, as: BOB }),
        429,
        'RATE_LIMITED',
      );
      const time = await fetch(`${limited}/time`);
      expect(time.status).toBe(429);
      expect(time.headers.get('retry-after')).not.toBeNull();
    });
  });

  it('per owner: one account cannot flood, others are unaffected', async () => {
    const limited = await startSigner({ rateLimit: { perIp: 0, perOwner: 3, windowSeconds: 30 } });
    await nothingWritten(async () => {
      const statuses: number[] = [];
      let last: Answer | undefined;
      for (let i = 0; i < 6; i++) {
        last = await call(
          '/single',
          { name: 'a.pdf', size: 1, type: 'application/pdf' },
          { base: limited, as: BOB },
        );
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(last?.json.error.message).toMatch(/at most 3 every 30 s/);
      const alice = await call(
        '/single',
        { name: 'a.pdf', size: 1, type: 'application/pdf' },
        { base: limited, as: ALICE },
      );
      expect(alice.status).toBe(200);
    }, [BOB, ALICE]);
  });
});

describe('clock', () => {
  it('GET /time is public and answers with a Date header close to serverTime', async () => {
    const res = await fetch(`${base}/time`);
    expect(res.status).toBe(200);
    const { serverTime } = await res.json();
    const date = Date.parse(res.headers.get('date') ?? '');
    expect(Math.abs(date - serverTime)).toBeLessThan(2000);
  });
});
