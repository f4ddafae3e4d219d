// Request validation, auth and ownership, all answered before any S3 call (offline).
import { afterAll, describe, expect, it } from 'vitest';
import { buildSignerApp } from './app';
import type { SignerConfig } from './config';

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
  allowedOrigins: ['https://app.example.com'],
  urlLifetimeSeconds: 900,
  basePath: '/api/uploads',
  maxObjectBytes: 1_000_000,
};

// Bearer <name> authenticates as <name>; no header is anonymous; "Bearer bad" is refused.
const app = buildSignerApp(config, {
  authenticate: (request) => {
    const auth = request.headers.authorization;
    if (!auth) return 'anonymous';
    const token = auth.replace(/^Bearer /, '');
    return token === 'bad' ? null : token;
  },
});
afterAll(() => app.close());

const B = '/api/uploads';
const aliceKey = 'uploads/alice/2026-01-01/id/f.bin';
const md5 = '1B2M2Y8AsgTpgAmY7PhCfg==';

async function post(path: string, payload: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: `${B}${path}`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: res.statusCode, body: res.json() as { error?: { code: string; message: string } }, res };
}

const createOk = { name: 'f', size: 10, type: 'application/octet-stream', partSize: 5, partCount: 2 };
const signOk = { key: aliceKey, uploadId: 'u', parts: [{ partNumber: 1, contentLength: 1 }] };

describe('malformed requests → 400 BAD_REQUEST with the protocol error body', () => {
  const cases: [string, string, unknown][] = [
    ['create: unknown field', '/multipart', { ...createOk, extra: 1 }],
    ['create: size as string', '/multipart', { ...createOk, size: '10' }],
    ['create: negative size', '/multipart', { ...createOk, size: -1 }],
    ['create: fractional size', '/multipart', { ...createOk, size: 1.5 }],
    ['create: missing name', '/multipart', { size: 1, type: '', partSize: 1, partCount: 1 }],
    ['create: partCount inconsistent', '/multipart', { ...createOk, partCount: 3 }],
    [
      'create: partCount over 10000',
      '/multipart',
      { ...createOk, size: 10001, partSize: 1, partCount: 10001 },
    ],
    ['create: type with newline', '/multipart', { ...createOk, type: 'text/plain\r\nX-Evil: 1' }],
    ['create: body is an array', '/multipart', [createOk]],
    ['create: body is null', '/multipart', 'null'],
    ['sign: part 0', '/multipart/sign', { ...signOk, parts: [{ partNumber: 0, contentLength: 1 }] }],
    ['sign: part 10001', '/multipart/sign', { ...signOk, parts: [{ partNumber: 10001, contentLength: 1 }] }],
    [
      'sign: negative length',
      '/multipart/sign',
      { ...signOk, parts: [{ partNumber: 1, contentLength: -1 }] },
    ],
    ['sign: no parts', '/multipart/sign', { ...signOk, parts: [] }],
    [
      'sign: 101 parts',
      '/multipart/sign',
      { ...signOk, parts: Array.from({ length: 101 }, (_, i) => ({ partNumber: i + 1, contentLength: 1 })) },
    ],
    [
      'sign: md5 not base64',
      '/multipart/sign',
      { ...signOk, parts: [{ partNumber: 1, contentLength: 1, contentMd5: 'x' }] },
    ],
    [
      'sign: md5 of 17 bytes',
      '/multipart/sign',
      {
        ...signOk,
        parts: [{ partNumber: 1, contentLength: 1, contentMd5: Buffer.alloc(17).toString('base64') }],
      },
    ],
    [
      'sign: unknown part field',
      '/multipart/sign',
      { ...signOk, parts: [{ partNumber: 1, contentLength: 1, x: 1 }] },
    ],
    ['sign: s3Time string', '/multipart/sign', { ...signOk, s3Time: 'now' }],
    ['list: missing uploadId', '/multipart/list', { key: aliceKey }],
    ['list: empty key', '/multipart/list', { key: '', uploadId: 'u' }],
    ['complete: no parts', '/multipart/complete', { key: aliceKey, uploadId: 'u', parts: [] }],
    [
      'complete: etag number',
      '/multipart/complete',
      { key: aliceKey, uploadId: 'u', parts: [{ partNumber: 1, etag: 1 }] },
    ],
    ['abort: extra field', '/multipart/abort', { key: aliceKey, uploadId: 'u', force: true }],
    ['single: md5 wrong', '/single', { name: 'a', size: 1, type: '', contentMd5: 'AAAA' }],
    ['invalid JSON', '/multipart', '{"name":'],
    ['empty body', '/multipart', ''],
  ];
  it.each(cases)('%s', async (_label, path, payload) => {
    const { status, body } = await post(path, payload, { authorization: 'Bearer alice' });
    expect(status).toBe(400);
    expect(body.error?.code).toBe('BAD_REQUEST');
    expect(body.error?.message).toEqual(expect.any(String));
  });

  it('names the unknown field', async () => {
    const { body } = await post('/multipart', { ...createOk, extra: 1 });
    expect(body.error?.message).toContain('"extra"');
  });

  it('a non-JSON content type is a 400 too', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `${B}/multipart`,
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BAD_REQUEST');
  });
});

describe('limits', () => {
  it('an object over the configured limit → 413 TOO_LARGE', async () => {
    const { status, body } = await post('/single', { name: 'a', size: 1_000_001, type: '' });
    expect(status).toBe(413);
    expect(body.error?.code).toBe('TOO_LARGE');
    const multipart = await post('/multipart', {
      ...createOk,
      size: 2_000_000,
      partSize: 1_000_000,
      partCount: 2,
    });
    expect(multipart.status).toBe(413);
  });

  it('a request body over the body limit → 413 TOO_LARGE', async () => {
    const { status, body } = await post('/multipart', { ...createOk, name: 'x'.repeat(3 * 1024 * 1024) });
    expect(status).toBe(413);
    expect(body.error?.code).toBe('TOO_LARGE');
  });
});

describe('authentication and ownership', () => {
  it('refused credentials → 401 UNAUTHENTICATED', async () => {
    const { status, body } = await post('/multipart/sign', signOk, { authorization: 'Bearer bad' });
    expect(status).toBe(401);
    expect(body.error?.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['/multipart/sign', signOk],
    ['/multipart/list', { key: aliceKey, uploadId: 'u' }],
    ['/multipart/complete', { key: aliceKey, uploadId: 'u', parts: [{ partNumber: 1, etag: '"e"' }] }],
    ['/multipart/abort', { key: aliceKey, uploadId: 'u' }],
  ])("%s on someone else's key → 403 FORBIDDEN", async (path, payload) => {
    for (const who of ['bob', 'ali', 'anonymous']) {
      const headers: Record<string, string> = who === 'anonymous' ? {} : { authorization: `Bearer ${who}` };
      const { status, body } = await post(path, payload, headers);
      expect(status).toBe(403);
      expect(body.error?.code).toBe('FORBIDDEN');
    }
  });

  it('a key escaping the prefix with .. → 403', async () => {
    const { status } = await post(
      '/multipart/sign',
      { ...signOk, key: 'uploads/alice/../bob/x' },
      { authorization: 'Bearer alice' },
    );
    expect(status).toBe(403);
  });

  it("the owner's own key is signed", async () => {
    const { status } = await post('/multipart/sign', signOk, { authorization: 'Bearer alice' });
    expect(status).toBe(200);
  });
});

describe('routing and CORS', () => {
  it('unknown route → 404 NOT_FOUND JSON', async () => {
    const res = await app.inject({ method: 'POST', url: '/nope', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });

  it('GET /time answers the signer clock', async () => {
    const res = await app.inject({ method: 'GET', url: `${B}/time` });
    expect(res.statusCode).toBe(200);
    expect(Math.abs(res.json().serverTime - Date.now())).toBeLessThan(5000);
  });

  it('allows configured origins only, exposing Retry-After', async () => {
    const ok = await app.inject({
      method: 'OPTIONS',
      url: `${B}/multipart`,
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(ok.statusCode).toBeLessThan(300);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const get = await app.inject({
      method: 'GET',
      url: `${B}/time`,
      headers: { origin: 'https://app.example.com' },
    });
    expect(get.headers['access-control-expose-headers']).toContain('Retry-After');
    const evil = await app.inject({
      method: 'GET',
      url: `${B}/time`,
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends no CORS headers when no origin is configured', async () => {
    const bare = buildSignerApp({ ...config, allowedOrigins: [] });
    try {
      const res = await bare.inject({
        method: 'GET',
        url: `${B}/time`,
        headers: { origin: 'https://app.example.com' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await bare.close();
    }
  });

  it('md5 pattern accepts real MD5s', async () => {
    const { status } = await post(
      '/multipart/sign',
      { ...signOk, parts: [{ partNumber: 1, contentLength: 0, contentMd5: md5 }] },
      { authorization: 'Bearer alice' },
    );
    expect(status).toBe(200);
  });
});
