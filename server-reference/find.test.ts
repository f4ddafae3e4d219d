// POST B/multipart/find and the fingerprint-derived keys, against a fake S3 client (offline).
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSignerApp, type SignerAppOptions } from './app';
import type { SignerConfig } from './config';
import { fingerprintId } from './keys';
import { createMemoryRegistry, type UploadRegistry } from './registry';

const TOKENS = { alice: 'alice-token-0123456789', bob: 'bob-token-0123456789ab' };
const config: SignerConfig = {
  s3: {
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    bucket: 'bucket',
    accessKeyId: 'AK',
    secretAccessKey: 'SK',
    forcePathStyle: true,
  },
  port: 0,
  host: '127.0.0.1',
  allowedOrigins: [],
  urlLifetimeSeconds: 900,
  basePath: '/api/uploads',
  auth: { mode: 'tokens', tokens: Object.entries(TOKENS).map(([owner, token]) => ({ token, owner })) },
};
const FP = '0123456789abcdef'.repeat(4);
const NOW = Date.parse('2026-05-06T07:08:09Z');

type Sent = { name: string; input: Record<string, unknown> };
type Handler = (command: { constructor: { name: string }; input: Record<string, unknown> }) => unknown;

/** An S3 client whose `send` answers with `handler` (throwing what it throws) and records every command. */
function fakeS3(handler: Handler): { client: S3Client; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = {
    async send(command: Parameters<Handler>[0]) {
      sent.push({ name: command.constructor.name, input: command.input });
      return handler(command);
    },
  } as unknown as S3Client;
  return { client, sent };
}

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

const apps: FastifyInstance[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));
function build(handler: Handler, options: SignerAppOptions = {}, overrides: Partial<SignerConfig> = {}) {
  const { client, sent } = fakeS3(handler);
  const app = buildSignerApp({ ...config, ...overrides }, { s3Client: client, now: () => NOW, ...options });
  apps.push(app);
  const post = async (path: string, payload: unknown, user: keyof typeof TOKENS | null = 'alice') => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/uploads${path}`,
      headers: {
        'content-type': 'application/json',
        ...(user ? { authorization: `Bearer ${TOKENS[user]}` } : {}),
      },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
    return { status: res.statusCode, body: res.json() as any };
  };
  return { app, sent, post };
}

const createBody = { name: 'v.mp4', size: 10, type: 'video/mp4', partSize: 5, partCount: 2, fingerprint: FP };
const aliceId = fingerprintId('alice', FP);
const aliceKey = (day: string, id = aliceId) => `uploads/alice/${day}/${id}/v.mp4`;

describe('create with a fingerprint', () => {
  it('derives the key id from owner and fingerprint; without one it stays random', async () => {
    let n = 0;
    const { post } = build(() => ({ UploadId: `up-${++n}` }));
    const a = await post('/multipart', createBody);
    const b = await post('/multipart', createBody);
    expect(a.status).toBe(200);
    expect(a.body.key).toBe(aliceKey('2026-05-06'));
    expect(b.body.key).toBe(a.body.key);
    const bob = await post('/multipart', createBody, 'bob');
    expect(bob.body.key).toBe(`uploads/bob/2026-05-06/${fingerprintId('bob', FP)}/v.mp4`);
    const { fingerprint: _, ...plain } = createBody;
    const random = await post('/multipart', plain);
    expect(random.body.key).toMatch(/^uploads\/alice\/2026-05-06\/[A-Za-z0-9_-]{16}\/v\.mp4$/);
    expect(random.body.key).not.toBe(a.body.key);
  });

  it.each([
    ['not hex', 'fp-1'],
    ['upper case', FP.toUpperCase()],
    ['too short', FP.slice(1)],
    ['a number', 5],
  ])('refuses a fingerprint that is %s (400, before S3)', async (_label, fingerprint) => {
    const { post, sent } = build(() => ({ UploadId: 'u' }));
    const res = await post('/multipart', { ...createBody, fingerprint });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(sent).toEqual([]);
  });
});

describe('POST /multipart/find on S3 listing', () => {
  function listing(pages: { Key: string; UploadId: string; Initiated?: Date }[][]): Handler {
    return (command) => {
      if (command.constructor.name !== 'ListMultipartUploadsCommand') throw new Error('unexpected command');
      const marker = command.input.KeyMarker as string | undefined;
      const index = marker === undefined ? 0 : Number(marker.slice(1));
      const last = index === pages.length - 1;
      return {
        Uploads: pages[index],
        IsTruncated: !last,
        ...(last ? {} : { NextKeyMarker: `p${index + 1}`, NextUploadIdMarker: `q${index + 1}` }),
      };
    };
  }

  it('lists the owner’s prefix on every page and answers the newest upload with the derived id', async () => {
    const other = 'ZZZZZZZZZZZZZZZZ';
    const { post, sent } = build(
      listing([
        [
          { Key: aliceKey('2026-05-01'), UploadId: 'old', Initiated: new Date('2026-05-01T00:00:00Z') },
          { Key: aliceKey('2026-05-06', other), UploadId: 'other-file', Initiated: new Date(NOW) },
        ],
        [
          { Key: aliceKey('2026-05-04'), UploadId: 'newest', Initiated: new Date('2026-05-04T00:00:00Z') },
          { Key: `uploads/alice/x/${aliceId}/v.mp4`, UploadId: 'not-issued', Initiated: new Date(NOW) },
        ],
        [{ Key: aliceKey('2026-05-02'), UploadId: 'middle', Initiated: new Date('2026-05-02T00:00:00Z') }],
      ]),
    );
    const res = await post('/multipart/find', { fingerprint: FP, size: 10, name: 'v.mp4' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      upload: {
        key: aliceKey('2026-05-04'),
        uploadId: 'newest',
        initiated: Date.parse('2026-05-04T00:00:00Z'),
      },
    });
    expect(sent.map((s) => s.input)).toEqual([
      { Bucket: 'bucket', Prefix: 'uploads/alice/', KeyMarker: undefined, UploadIdMarker: undefined },
      { Bucket: 'bucket', Prefix: 'uploads/alice/', KeyMarker: 'p1', UploadIdMarker: 'q1' },
      { Bucket: 'bucket', Prefix: 'uploads/alice/', KeyMarker: 'p2', UploadIdMarker: 'q2' },
    ]);
  });

  it('answers null when nothing matches; another owner lists only their own prefix', async () => {
    const { post, sent } = build(listing([[{ Key: aliceKey('2026-05-06'), UploadId: 'a' }]]));
    expect((await post('/multipart/find', { fingerprint: FP }, 'bob')).body).toEqual({ upload: null });
    expect(sent[0]?.input.Prefix).toBe('uploads/bob/');
    expect((await post('/multipart/find', { fingerprint: 'a'.repeat(64) })).body).toEqual({ upload: null });
  });

  it('maps other S3 failures to 502 S3_ERROR', async () => {
    const { post } = build(() => {
      throw s3Error('AccessDenied', 403);
    });
    const res = await post('/multipart/find', { fingerprint: FP });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('S3_ERROR');
  });

  it.each([
    ['no fingerprint', {}],
    ['a bad fingerprint', { fingerprint: 'fp-1' }],
    ['an unknown field', { fingerprint: FP, key: 'x' }],
    ['a negative size', { fingerprint: FP, size: -1 }],
    ['a string size', { fingerprint: FP, size: '1' }],
    ['a name too long', { fingerprint: FP, name: 'x'.repeat(1025) }],
  ])('refuses %s with 400 BAD_REQUEST', async (_label, body) => {
    const { post, sent } = build(listing([[]]));
    const res = await post('/multipart/find', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(sent).toEqual([]);
  });

  it('requires authentication', async () => {
    const { post, sent } = build(listing([[]]));
    const res = await post('/multipart/find', { fingerprint: FP }, null);
    expect(res.status).toBe(401);
    expect(sent).toEqual([]);
  });
});

describe('POST /multipart/find with the upload registry', () => {
  /** A store like s3rver: no ListMultipartUploads (501), no ListParts or Abort (405). */
  const s3rverLike: Handler = (command) => {
    switch (command.constructor.name) {
      case 'CreateMultipartUploadCommand':
        return { UploadId: `up-${Math.random().toString(36).slice(2)}` };
      case 'ListMultipartUploadsCommand':
        throw s3Error('NotImplemented', 501);
      case 'CompleteMultipartUploadCommand':
        return { ETag: '"e-1"' };
      case 'HeadObjectCommand':
        return { ETag: '"e-1"', ContentLength: 10 };
      default:
        throw s3Error('MethodNotAllowed', 405);
    }
  };

  it('falls back to the registry when S3 does not implement the listing, and stops asking S3', async () => {
    const registry = createMemoryRegistry({ now: () => NOW });
    const { post, sent } = build(s3rverLike, { registry });
    const created = await post('/multipart', createBody);
    expect((await post('/multipart/find', { fingerprint: FP })).body).toEqual({
      upload: { ...created.body, initiated: NOW },
    });
    expect((await post('/multipart/find', { fingerprint: FP }, 'bob')).body).toEqual({ upload: null });
    expect((await post('/multipart/find', { fingerprint: FP })).body.upload.uploadId).toBe(
      created.body.uploadId,
    );
    expect(sent.filter((s) => s.name === ListMultipartUploadsCommand.name)).toHaveLength(1);
  });

  it('complete and abort forget (abort even when S3 cannot abort)', async () => {
    const registry = createMemoryRegistry({ now: () => NOW });
    const { post } = build(s3rverLike, { registry, s3Listing: false });
    const first = await post('/multipart', createBody);
    const done = await post('/multipart/complete', {
      ...first.body,
      parts: [{ partNumber: 1, etag: '"a"' }],
    });
    expect(done.status).toBe(200);
    expect((await post('/multipart/find', { fingerprint: FP })).body).toEqual({ upload: null });

    const second = await post('/multipart', createBody);
    expect((await post('/multipart/find', { fingerprint: FP })).body.upload.uploadId).toBe(
      second.body.uploadId,
    );
    const aborted = await post('/multipart/abort', second.body);
    // s3rver: 405 MethodNotAllowed → 501 at once, saying what is left behind, instead of a retryable 502.
    expect(aborted.status).toBe(501);
    expect(aborted.body.error.code).toBe('S3_UNSUPPORTED');
    expect(aborted.body.error.message).toMatch(/parts stay on the store/);
    expect((await post('/multipart/find', { fingerprint: FP })).body).toEqual({ upload: null });
  });

  it('list and complete forget an upload S3 says is gone', async () => {
    const registry = createMemoryRegistry({ now: () => NOW });
    let gone = false;
    const { post } = build(
      (command) => {
        if (command.constructor.name === CreateMultipartUploadCommand.name) return { UploadId: 'u-1' };
        if (gone) throw s3Error('NoSuchUpload', 404);
        return { Parts: [] };
      },
      { registry, s3Listing: false },
    );
    const created = await post('/multipart', createBody);
    expect((await post('/multipart/list', created.body)).body).toEqual({ parts: [] });
    expect((await post('/multipart/find', { fingerprint: FP })).body.upload).not.toBeNull();
    gone = true;
    expect((await post('/multipart/list', created.body)).status).toBe(404);
    expect((await post('/multipart/find', { fingerprint: FP })).body).toEqual({ upload: null });

    await registry.remember('alice', FP, { ...created.body, initiated: NOW });
    const complete = await post('/multipart/complete', {
      ...created.body,
      parts: [{ partNumber: 1, etag: '"a"' }],
    });
    expect(complete.body.error.code).toBe('UPLOAD_NOT_FOUND');
    expect((await post('/multipart/find', { fingerprint: FP })).body).toEqual({ upload: null });
  });

  it('without a registry answers null where S3 cannot list; with listing supported S3 decides', async () => {
    const { post } = build(s3rverLike);
    await post('/multipart', createBody);
    expect((await post('/multipart/find', { fingerprint: FP })).body).toEqual({ upload: null });

    // S3 lists nothing: a remembered upload is not offered (S3 is the source of truth).
    const registry = createMemoryRegistry({ now: () => NOW });
    await registry.remember('alice', FP, { key: aliceKey('2026-05-06'), uploadId: 'stale', initiated: NOW });
    const listing = build(() => ({ Uploads: [], IsTruncated: false }), { registry });
    expect((await listing.post('/multipart/find', { fingerprint: FP })).body).toEqual({ upload: null });
  });

  it('never hands out a remembered key of another owner', async () => {
    const registry: UploadRegistry = {
      remember: async () => {},
      forget: async () => {},
      find: async () => ({ key: `uploads/bob/2026-05-06/${aliceId}/v.mp4`, uploadId: 'u', initiated: NOW }),
    };
    const { post } = build(s3rverLike, { registry, s3Listing: false });
    expect((await post('/multipart/find', { fingerprint: FP })).body).toEqual({ upload: null });
  });

  it('a failing registry does not fail create, and answers find with 500', async () => {
    const registry: UploadRegistry = {
      remember: async () => {
        throw new Error('disk full');
      },
      forget: async () => {
        throw new Error('disk full');
      },
      find: async () => {
        throw new Error('disk full');
      },
    };
    const { post } = build(s3rverLike, { registry, s3Listing: false });
    const created = await post('/multipart', createBody);
    expect(created.status).toBe(200);
    expect((await post('/multipart/find', { fingerprint: FP })).status).toBe(500);
    const complete = await post('/multipart/complete', {
      ...created.body,
      parts: [{ partNumber: 1, etag: '"a"' }],
    });
    expect(complete.status).toBe(200);
  });

  it('reads SIGNER_UPLOAD_REGISTRY through config; options.registry null turns it off', async () => {
    const withConfig = build(s3rverLike, {}, { uploadRegistry: { mode: 'memory' } });
    const created = await withConfig.post('/multipart', createBody);
    expect((await withConfig.post('/multipart/find', { fingerprint: FP })).body.upload.key).toBe(
      created.body.key,
    );
    const off = build(s3rverLike, { registry: null }, { uploadRegistry: { mode: 'memory' } });
    await off.post('/multipart', createBody);
    expect((await off.post('/multipart/find', { fingerprint: FP })).body).toEqual({ upload: null });
  });
});
