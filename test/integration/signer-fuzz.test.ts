// Bounded fuzzing of the reference signer over HTTP, real S3 (Ceph RGW) behind it: random JSON,
// near-valid bodies with one field gone wrong, raw garbage, odd content types and credentials,
// on every route. Every answer must be a JSON 2xx/4xx, never a 5xx; every key a 2xx hands out must
// be under the caller's prefix; the signer must still work afterwards. Fixed seed: reproducible.
import { randomBytes } from 'node:crypto';
import { AbortMultipartUploadCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignerApp } from '../../server-reference/app';
import { listMultipartUploads, makeS3Client, type S3TestConfig, signerConfigFor } from '../support/s3';

// FUZZ_SEED=<n> explores other inputs; the default keeps CI reproducible.
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_506);
const NUM_RUNS = 500;
const TIME_LIMIT_MS = 10_000;

const s3Config: S3TestConfig = inject('s3');
const OWNER = `fuzz-${randomBytes(4).toString('hex')}`;
const OTHER = `other-${randomBytes(4).toString('hex')}`;
const TOKENS: Record<string, string> = {
  [OWNER]: `fuzz-${randomBytes(16).toString('hex')}`,
  [OTHER]: `other-${randomBytes(16).toString('hex')}`,
};
const PREFIX = `uploads/${OWNER}/`;

let s3: S3Client;
let app: FastifyInstance;
let base: string;
/** A real upload of OWNER, and one of OTHER, so that fuzzed refs sometimes point at something. */
let mine: { key: string; uploadId: string };
let theirs: { key: string; uploadId: string };

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
type Json = any;

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`POST ${path} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, json, headers: res.headers };
}

beforeAll(async () => {
  s3 = makeS3Client(s3Config);
  const config = signerConfigFor(s3Config, {
    auth: { mode: 'tokens', tokens: Object.entries(TOKENS).map(([owner, token]) => ({ token, owner })) },
    maxObjectBytes: 1024 ** 3,
    rateLimit: { perIp: 1_000_000, perOwner: 1_000_000, windowSeconds: 60 },
  });
  app = buildSignerApp(config);
  base = `${await app.listen({ port: 0, host: '127.0.0.1' })}${config.basePath}`;
  const create = (owner: string) =>
    post(
      '/multipart',
      JSON.stringify({
        name: 'seed.bin',
        size: 10,
        type: 'application/octet-stream',
        partSize: 10,
        partCount: 1,
      }),
      { 'content-type': 'application/json', authorization: `Bearer ${TOKENS[owner]}` },
    );
  mine = (await create(OWNER)).json;
  theirs = (await create(OTHER)).json;
  expect(mine.uploadId).toEqual(expect.any(String));
  expect(theirs.uploadId).toEqual(expect.any(String));
});

afterAll(async () => {
  // Whatever the fuzzer created: abort it (it cannot have completed anything: no part was PUT).
  for (const prefix of [PREFIX, `uploads/${OTHER}/`]) {
    for (const u of await listMultipartUploads(s3, s3Config.bucket, prefix)) {
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: s3Config.bucket, Key: u.key, UploadId: u.uploadId }),
      );
    }
  }
  await app?.close();
  s3?.destroy();
});

// ---- generators ------------------------------------------------------------------------------
const anyJson = fc.jsonValue({ maxDepth: 3 });
const weirdString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '../../etc/passwd',
    '\u0000',
    '\u202e',
    '\ud800',
    'a'.repeat(2000),
    '%2F..',
    '"',
  ),
);
const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 10_000, 10_001, 2 ** 53, 5 * 1024 ** 3, 5 * 1024 ** 3 + 1, 1e308, -0),
);
/** Mostly a plausible value, sometimes anything. */
const sometimes = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: good, weight: 9 },
    { arbitrary: fc.oneof(weirdString, weirdNumber, anyJson), weight: 1 },
  );

const mediaType = fc.constantFrom(
  '',
  'application/octet-stream',
  'image/png',
  'text/plain; charset=utf-8',
  'x/y',
);
const md5 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64'));
const key = fc.oneof(
  fc.constant(null).map(() => mine.key),
  fc.constant(null).map(() => theirs.key),
  fc.stringMatching(/^[A-Za-z0-9_-]{16}$/).map((id) => `${PREFIX}2026-01-01/${id}/f.bin`),
  fc.constantFrom(`${PREFIX}x`, `${PREFIX}../${OTHER}/x`, 'uploads/', '/', ''),
  weirdString,
);
const uploadId = fc.oneof(
  fc.constant(null).map(() => mine.uploadId),
  fc.constant(null).map(() => theirs.uploadId),
  fc.stringMatching(/^[A-Za-z0-9._~+/=:-]{1,40}$/),
  weirdString,
);
const partNumber = fc.oneof(fc.integer({ min: 1, max: 10_000 }), weirdNumber);
const fileFields = {
  name: sometimes(fc.oneof(weirdString, fc.string({ unit: 'grapheme', maxLength: 40 }))),
  size: sometimes(fc.integer({ min: 0, max: 2 * 1024 ** 3 })),
  type: sometimes(mediaType),
  lastModified: sometimes(fc.integer({ min: 0 })),
  fingerprint: sometimes(fc.stringMatching(/^[0-9a-f]{64}$/)),
};
const extra = fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 2 });

/** Usually all required fields, sometimes some missing; now and then unknown extra fields. */
function withOptional<T extends Record<string, unknown>>(
  fields: { [K in keyof T]: fc.Arbitrary<T[K]> },
  requiredKeys: (keyof T & string)[],
): fc.Arbitrary<Record<string, unknown>> {
  const complete = fc.record(fields, { requiredKeys } as never) as fc.Arbitrary<Record<string, unknown>>;
  const partial = fc.record(fields, { requiredKeys: [] } as never) as fc.Arbitrary<Record<string, unknown>>;
  return fc
    .tuple(
      fc.oneof({ arbitrary: complete, weight: 5 }, { arbitrary: partial, weight: 1 }),
      fc.oneof({ arbitrary: fc.constant({}), weight: 5 }, { arbitrary: extra, weight: 1 }),
    )
    .map(([record, more]) => ({ ...record, ...more }));
}

const createBody = fc
  .tuple(
    withOptional(fileFields, ['name', 'size', 'type']),
    fc.integer({ min: 1, max: 64 * 1024 ** 2 }),
    fc.nat(4).map((n) => n > 0), // partCount right 4 times in 5
  )
  .map(([body, partSize, consistent]) => {
    const size = typeof body.size === 'number' ? body.size : 0;
    return consistent
      ? { ...body, partSize, partCount: Math.ceil(size / partSize) }
      : { ...body, partSize, partCount: Math.ceil(size / partSize) + 1 };
  });
const signPart = withOptional(
  {
    partNumber,
    contentLength: sometimes(fc.integer({ min: 0, max: 64 * 1024 ** 2 })),
    contentMd5: sometimes(md5),
  },
  ['partNumber', 'contentLength'],
);
const signBody = withOptional(
  {
    key,
    uploadId,
    parts: sometimes(fc.array(signPart, { minLength: 0, maxLength: 12 })),
    s3Time: sometimes(fc.constant(null).map(() => Date.now())),
  },
  ['key', 'uploadId', 'parts'],
);
const refBody = withOptional({ key, uploadId }, ['key', 'uploadId']);
const completeBody = withOptional(
  {
    key,
    uploadId,
    parts: sometimes(
      fc.array(
        withOptional({ partNumber, etag: sometimes(fc.stringMatching(/^"[0-9a-f]{32}"$/)) }, [
          'partNumber',
          'etag',
        ]),
        { maxLength: 12 },
      ),
    ),
  },
  ['key', 'uploadId', 'parts'],
);
const findBody = withOptional(
  { fingerprint: fileFields.fingerprint, size: fileFields.size, name: fileFields.name },
  ['fingerprint'],
);
const singleBody = withOptional({ ...fileFields, contentMd5: sometimes(md5) }, ['name', 'size', 'type']);

const ROUTES = {
  '/multipart': createBody,
  '/multipart/sign': signBody,
  '/multipart/list': refBody,
  '/multipart/complete': completeBody,
  '/multipart/abort': refBody,
  '/multipart/find': findBody,
  '/single': singleBody,
} as const;
type Route = keyof typeof ROUTES;

const request = fc.constantFrom(...(Object.keys(ROUTES) as Route[])).chain((route) =>
  fc.record({
    route: fc.constant(route),
    body: fc.oneof(
      { arbitrary: ROUTES[route].map((b) => JSON.stringify(b)), weight: 6 },
      { arbitrary: anyJson.map((b) => JSON.stringify(b)), weight: 2 },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 1 },
    ),
    auth: fc.oneof(
      { arbitrary: fc.constant(`Bearer ${TOKENS[OWNER]}`), weight: 8 },
      { arbitrary: fc.constant(undefined), weight: 1 },
      { arbitrary: fc.string({ maxLength: 40 }).map((t) => `Bearer ${t}`), weight: 1 },
    ),
    contentType: fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 8 },
      {
        arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/xml', ''),
        weight: 1,
      },
    ),
  }),
);

/** What a 2xx must look like for each route; keys handed out must be the caller's. */
function checkSuccess(route: Route, json: Json): void {
  const issued = new RegExp(`^${PREFIX}\\d{4}-\\d{2}-\\d{2}/[A-Za-z0-9_-]{16}/[^/]+$`);
  switch (route) {
    case '/multipart':
      expect(json.key).toMatch(issued);
      expect(json.uploadId).toEqual(expect.any(String));
      break;
    case '/single':
      expect(json.key).toMatch(issued);
      expect(json.url).toEqual(expect.any(String));
      break;
    case '/multipart/sign':
      expect(json.parts).toEqual(expect.any(Array));
      break;
    case '/multipart/list':
      expect(json.parts).toEqual(expect.any(Array));
      break;
    case '/multipart/abort':
      expect(json).toEqual({ ok: true });
      break;
    case '/multipart/find':
      if (json.upload !== null) expect(json.upload.key).toMatch(issued);
      break;
    case '/multipart/complete':
      throw new Error('complete cannot succeed: no part was ever uploaded');
  }
}

describe('fuzzing every route', () => {
  it('answers 2xx or 4xx JSON, never 5xx, and hands out keys only under the caller’s prefix', async () => {
    const seen = new Map<number, number>();
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(request, async ({ route, body, auth, contentType }) => {
        const headers: Record<string, string> = {};
        if (contentType) headers['content-type'] = contentType;
        if (auth !== undefined) headers.authorization = auth;
        const res = await post(route, body, headers);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expect(res.status, `${route} ${body.slice(0, 300)} → ${JSON.stringify(res.json)}`).toBeLessThan(500);
        expect(res.headers.get('date')).not.toBeNull();
        if (res.status >= 200 && res.status < 300) checkSuccess(route, res.json);
        else expect(res.json.error.code).toMatch(/^[A-Z_]+$/);
      }),
      { seed: SEED, numRuns: NUM_RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, endOnFailure: true },
    );
    const time = await fetch(`${base}/time`);
    expect(time.status).toBe(200);
    // The mix exercised more than refusals: some requests passed, several kinds were refused.
    const statuses = [...seen.keys()];
    expect(statuses.some((s) => s === 200)).toBe(true);
    expect(statuses.filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
    console.info(
      `fuzz: ${[...seen.values()].reduce((a, b) => a + b, 0)} requests in ${Date.now() - started} ms`,
      Object.fromEntries(seen),
    );
  });

  it('the signer still works afterwards; nothing completed, nothing touched another owner', async () => {
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${TOKENS[OWNER]}` };
    const created = await post(
      '/multipart',
      JSON.stringify({ name: 'after.bin', size: 1, type: '', partSize: 1, partCount: 1 }),
      auth,
    );
    expect(created.status).toBe(200);
    expect((await post('/multipart/abort', JSON.stringify(created.json), auth)).status).toBe(200);
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: s3Config.bucket, Prefix: PREFIX }));
    expect(objects.Contents ?? []).toEqual([]);
    // The other owner's upload was neither aborted nor joined by anything the fuzzer made.
    expect(await listMultipartUploads(s3, s3Config.bucket, `uploads/${OTHER}/`)).toEqual([theirs]);
  });
});
