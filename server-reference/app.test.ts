// Request validation, auth, ownership, policy, rate limits and headers, all answered before any S3
// call (offline: nothing listens on the S3 endpoint).
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSignerApp } from './app';
import type { SignerConfig } from './config';

const TOKENS = {
  alice: 'alice-token-0123456789',
  bob: 'bob-token-0123456789ab',
  ali: 'ali-token-0123456789ab',
};

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
  auth: {
    mode: 'tokens',
    tokens: Object.entries(TOKENS).map(([owner, token]) => ({ token, owner })),
  },
};

const apps: FastifyInstance[] = [];
function build(overrides: Partial<SignerConfig> = {}, options: Parameters<typeof buildSignerApp>[1] = {}) {
  const built = buildSignerApp({ ...config, ...overrides }, options);
  apps.push(built);
  return built;
}
const app = build();
afterAll(() => Promise.all(apps.map((a) => a.close())));

const B = '/api/uploads';
const aliceKey = 'uploads/alice/2026-01-01/AbCdEfGhIjKlMn_-/f.bin';
const md5 = '1B2M2Y8AsgTpgAmY7PhCfg==';
const asAlice = { authorization: `Bearer ${TOKENS.alice}` };

type Json = { error?: { code: string; message: string } } & Record<string, unknown>;

async function post(
  path: string,
  payload: unknown,
  headers: Record<string, string> = asAlice,
  target: FastifyInstance = app,
) {
  const res = await target.inject({
    method: 'POST',
    url: `${B}${path}`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: res.statusCode, body: res.json() as Json, res };
}

const createOk = { name: 'f', size: 10, type: 'application/octet-stream', partSize: 5, partCount: 2 };
const signOk = { key: aliceKey, uploadId: 'u', parts: [{ partNumber: 1, contentLength: 1 }] };

describe('malformed requests → 400 BAD_REQUEST with the protocol error body', () => {
  const cases: [string, string, unknown][] = [
    ['create: unknown field', '/multipart', { ...createOk, extra: 1 }],
    ['create: size as string', '/multipart', { ...createOk, size: '10' }],
    ['create: negative size', '/multipart', { ...createOk, size: -1 }],
    ['create: fractional size', '/multipart', { ...createOk, size: 1.5 }],
    ['create: size over 2^53', '/multipart', { ...createOk, size: 2 ** 60 }],
    ['create: missing name', '/multipart', { size: 1, type: '', partSize: 1, partCount: 1 }],
    ['create: name over 1024 characters', '/multipart', { ...createOk, name: 'x'.repeat(1025) }],
    ['create: partCount inconsistent', '/multipart', { ...createOk, partCount: 3 }],
    [
      'create: partCount over 10000',
      '/multipart',
      { ...createOk, size: 10001, partSize: 1, partCount: 10001 },
    ],
    ['create: type with newline', '/multipart', { ...createOk, type: 'text/plain\r\nX-Evil: 1' }],
    ['create: type not a media type', '/multipart', { ...createOk, type: 'not a type' }],
    ['create: body is an array', '/multipart', [createOk]],
    ['create: body is null', '/multipart', 'null'],
    ['create: __proto__ key', '/multipart', '{"__proto__":{"x":1},"name":"f"}'],
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
    ['sign: uploadId with a space', '/multipart/sign', { ...signOk, uploadId: 'a b' }],
    ['list: missing uploadId', '/multipart/list', { key: aliceKey }],
    ['list: empty key', '/multipart/list', { key: '', uploadId: 'u' }],
    ['list: uploadId with control char', '/multipart/list', { key: aliceKey, uploadId: 'u\u0000' }],
    ['complete: no parts', '/multipart/complete', { key: aliceKey, uploadId: 'u', parts: [] }],
    [
      'complete: etag number',
      '/multipart/complete',
      { key: aliceKey, uploadId: 'u', parts: [{ partNumber: 1, etag: 1 }] },
    ],
    [
      'complete: etag with spaces',
      '/multipart/complete',
      { key: aliceKey, uploadId: 'u', parts: [{ partNumber: 1, etag: '" x "' }] },
    ],
    ['abort: extra field', '/multipart/abort', { key: aliceKey, uploadId: 'u', force: true }],
    ['single: md5 wrong', '/single', { name: 'a', size: 1, type: '', contentMd5: 'AAAA' }],
    ['invalid JSON', '/multipart', '{"name":'],
    ['empty body', '/multipart', ''],
  ];
  it.each(cases)('%s', async (_label, path, payload) => {
    const { status, body } = await post(path, payload);
    expect(status).toBe(400);
    expect(body.error?.code).toBe('BAD_REQUEST');
    expect(body.error?.message).toEqual(expect.any(String));
  });

  it('names the unknown field, and the badly formatted one without dumping the pattern', async () => {
    const unknown = await post('/multipart', { ...createOk, extra: 1 });
    expect(unknown.body.error?.message).toContain('"extra"');
    const format = await post('/multipart', { ...createOk, type: 'nope' });
    expect(format.body.error?.message).toMatch(/body\/type is not in the expected format/);
    expect(format.body.error?.message).not.toContain('[A-Za-z');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'a %s body is a 400 (JSON only: no CORS-simple content type is parsed)',
    async (type) => {
      const res = await app.inject({
        method: 'POST',
        url: `${B}/multipart`,
        headers: { 'content-type': type, ...asAlice },
        payload: JSON.stringify(createOk),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('BAD_REQUEST');
    },
  );

  it('a query string is refused', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `${B}/multipart/sign?bucket=other`,
      headers: { 'content-type': 'application/json', ...asAlice },
      payload: JSON.stringify(signOk),
    });
    expect(res.statusCode).toBe(400);
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

  it('parts adding up to more than the object limit → 413', async () => {
    const { status, body } = await post('/multipart/sign', {
      ...signOk,
      parts: [
        { partNumber: 1, contentLength: 600_000 },
        { partNumber: 2, contentLength: 600_000 },
      ],
    });
    expect(status).toBe(413);
    expect(body.error?.message).toMatch(/1200000 bytes/);
  });

  it('a request body over 64 KiB → 413 TOO_LARGE', async () => {
    const { status, body } = await post('/multipart', { ...createOk, name: 'x'.repeat(65 * 1024) });
    expect(status).toBe(413);
    expect(body.error?.code).toBe('TOO_LARGE');
  });

  it('complete accepts a 10,000-part body (~600 KB) but not 2 MB', async () => {
    const etag = `"${'0123456789abcdef'.repeat(2)}"`;
    const parts = Array.from({ length: 10_000 }, (_, i) => ({ partNumber: i + 1, etag }));
    const bobKey = aliceKey.replace('alice', 'bob');
    const big = { key: bobKey, uploadId: 'u', parts };
    expect(JSON.stringify(big).length).toBeGreaterThan(500_000);
    // Parsed and validated, then refused for ownership: the body limit let it through.
    expect((await post('/multipart/complete', big)).status).toBe(403);
    const huge = { ...big, parts: parts.map((p) => ({ ...p, etag: `"${'a'.repeat(200)}"` })) };
    expect((await post('/multipart/complete', huge)).status).toBe(413);
  });

  it('the parts-per-sign-request limit is configurable', async () => {
    const small = build({ maxPartsPerSignRequest: 2 });
    const three = Array.from({ length: 3 }, (_, i) => ({ partNumber: i + 1, contentLength: 1 }));
    const res = await post('/multipart/sign', { ...signOk, parts: three }, asAlice, small);
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toMatch(/more than 2 items/);
    expect(
      (await post('/multipart/sign', { ...signOk, parts: three.slice(0, 2) }, asAlice, small)).status,
    ).toBe(200);
  });
});

describe('content type policy', () => {
  const strict = build({ allowedTypes: ['image/*', 'application/pdf'] });

  it.each([
    ['/single', { name: 'a.html', size: 1, type: 'text/html' }],
    ['/single', { name: 'a', size: 1, type: '' }],
    ['/multipart', { ...createOk, type: 'application/pdfx' }],
  ])('%s %j → 415 UNSUPPORTED_TYPE', async (path, payload) => {
    const { status, body } = await post(path, payload, asAlice, strict);
    expect(status).toBe(415);
    expect(body.error?.code).toBe('UNSUPPORTED_TYPE');
    expect(body.error?.message).toMatch(/allowed types: image\/\*, application\/pdf/);
  });

  it('allowed types pass', async () => {
    const res = await post('/single', { name: 'a.png', size: 1, type: 'IMAGE/PNG' }, asAlice, strict);
    expect(res.status).toBe(200);
  });
});

describe('authentication and ownership', () => {
  it.each([
    ['/multipart', createOk],
    ['/multipart/sign', signOk],
    ['/multipart/list', { key: aliceKey, uploadId: 'u' }],
    ['/multipart/complete', { key: aliceKey, uploadId: 'u', parts: [{ partNumber: 1, etag: '"e"' }] }],
    ['/multipart/abort', { key: aliceKey, uploadId: 'u' }],
    ['/single', { name: 'a', size: 1, type: '' }],
  ])('%s without or with a wrong token → 401 UNAUTHENTICATED', async (path, payload) => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: `Bearer ${TOKENS.alice}x` },
      { authorization: `Basic ${TOKENS.alice}` },
      { authorization: TOKENS.alice },
    ];
    for (const headers of attempts) {
      const { status, body, res } = await post(path, payload, headers);
      expect(status).toBe(401);
      expect(body.error?.code).toBe('UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="signer"/);
    }
  });

  it('authenticates before reading the body: a huge unauthenticated body is a 401, not a 413', async () => {
    const { status } = await post('/multipart', { ...createOk, name: 'x'.repeat(2 * 1024 * 1024) }, {});
    expect(status).toBe(401);
  });

  it.each([
    ['/multipart/sign', signOk],
    ['/multipart/list', { key: aliceKey, uploadId: 'u' }],
    ['/multipart/complete', { key: aliceKey, uploadId: 'u', parts: [{ partNumber: 1, etag: '"e"' }] }],
    ['/multipart/abort', { key: aliceKey, uploadId: 'u' }],
  ])("%s on someone else's key → 403 FORBIDDEN", async (path, payload) => {
    for (const who of ['bob', 'ali'] as const) {
      const { status, body } = await post(path, payload, { authorization: `Bearer ${TOKENS[who]}` });
      expect(status).toBe(403);
      expect(body.error?.code).toBe('FORBIDDEN');
    }
  });

  it.each([
    'uploads/alice/../bob/2026-01-01/AbCdEfGhIjKlMn_-/x',
    'uploads/alice/x',
    'uploads/alice/2026-01-01/AbCdEfGhIjKlMn_-/..',
    'uploads/bob/2026-01-01/AbCdEfGhIjKlMn_-/f.bin',
    '/uploads/alice/2026-01-01/AbCdEfGhIjKlMn_-/f.bin',
    'Uploads/alice/2026-01-01/AbCdEfGhIjKlMn_-/f.bin',
  ])('key %j is not one the signer issued to alice → 403', async (key) => {
    const { status } = await post('/multipart/sign', { ...signOk, key });
    expect(status).toBe(403);
  });

  it("the owner's own key is signed", async () => {
    const { status } = await post('/multipart/sign', signOk);
    expect(status).toBe(200);
  });

  it('new keys are under the caller’s prefix', async () => {
    const { body } = await post(
      '/single',
      { name: '../../etc/passwd', size: 1, type: '' },
      {
        authorization: `Bearer ${TOKENS.bob}`,
      },
    );
    expect(body.key).toMatch(/^uploads\/bob\/\d{4}-\d{2}-\d{2}\/[A-Za-z0-9_-]{16}\/passwd$/);
  });

  it('GET /time needs no credentials', async () => {
    const res = await app.inject({ method: 'GET', url: `${B}/time` });
    expect(res.statusCode).toBe(200);
  });

  it('buildSignerApp refuses to start without an authentication strategy', () => {
    expect(() => buildSignerApp({ ...config, auth: undefined })).toThrow(/no authentication configured/);
    expect(() => buildSignerApp({ ...config, auth: { mode: 'custom' } })).toThrow(
      /needs an authenticate hook/,
    );
  });

  it('auth mode none lets everyone in as "anonymous"', async () => {
    const open = build({ auth: { mode: 'none' } });
    const { status, body } = await post('/single', { name: 'a', size: 1, type: '' }, {}, open);
    expect(status).toBe(200);
    expect(body.key).toMatch(/^uploads\/anonymous\//);
  });

  it('an authenticate hook overrides config.auth', async () => {
    const custom = build({}, { authenticate: (request) => (request.headers['x-user'] as string) ?? null });
    const { body } = await post('/single', { name: 'a', size: 1, type: '' }, { 'x-user': 'carol' }, custom);
    expect(body.key).toMatch(/^uploads\/carol\//);
    expect((await post('/single', { name: 'a', size: 1, type: '' }, asAlice, custom)).status).toBe(401);
  });

  it('a hook returning an unusable owner id is a logged 500, never a key', async () => {
    const broken = build({}, { authenticate: () => '..\u0000' });
    const { status, body } = await post('/single', { name: 'a', size: 1, type: '' }, {}, broken);
    expect(status).toBe(500);
    expect(body.error?.code).toBe('INTERNAL');
  });
});

describe('rate limits → 429 RATE_LIMITED with Retry-After', () => {
  it('per IP, counting unauthenticated requests too', async () => {
    const limited = build({ rateLimit: { perIp: 3, perOwner: 0, windowSeconds: 60 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await post('/single', { name: 'a', size: 1, type: '' }, {}, limited)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const res = await post('/single', { name: 'a', size: 1, type: '' }, asAlice, limited);
    expect(res.status).toBe(429);
    expect(res.body.error?.code).toBe('RATE_LIMITED');
    expect(Number(res.res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.res.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another address is not affected; /time counts against the address too.
    const other = await limited.inject({ method: 'GET', url: `${B}/time`, remoteAddress: '10.0.0.2' });
    expect(other.statusCode).toBe(200);
    expect((await limited.inject({ method: 'GET', url: `${B}/time` })).statusCode).toBe(429);
  });

  it('per owner, across addresses', async () => {
    const limited = build({ rateLimit: { perIp: 0, perOwner: 2, windowSeconds: 30 } });
    const single = (headers: Record<string, string>, remoteAddress: string) =>
      limited.inject({
        method: 'POST',
        url: `${B}/single`,
        remoteAddress,
        headers: { 'content-type': 'application/json', ...headers },
        payload: { name: 'a', size: 1, type: '' },
      });
    expect((await single(asAlice, '10.0.0.1')).statusCode).toBe(200);
    expect((await single(asAlice, '10.0.0.2')).statusCode).toBe(200);
    const third = await single(asAlice, '10.0.0.3');
    expect(third.statusCode).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect((await single({ authorization: `Bearer ${TOKENS.bob}` }, '10.0.0.1')).statusCode).toBe(200);
  });

  it('behind a trusted proxy, the forwarded address is the one limited', async () => {
    const proxied = build({ trustProxy: 1, rateLimit: { perIp: 1, perOwner: 0, windowSeconds: 60 } });
    const time = (forwardedFor: string) =>
      proxied.inject({ method: 'GET', url: `${B}/time`, headers: { 'x-forwarded-for': forwardedFor } });
    expect((await time('203.0.113.1')).statusCode).toBe(200);
    expect((await time('203.0.113.2')).statusCode).toBe(200);
    expect((await time('203.0.113.1')).statusCode).toBe(429);
  });
});

describe('headers, routing and CORS', () => {
  it('every answer has Date, no-store and the security headers', async () => {
    const answers = [
      await app.inject({ method: 'GET', url: `${B}/time` }),
      await app.inject({ method: 'POST', url: `${B}/single`, payload: {} }),
      await app.inject({ method: 'GET', url: '/nope' }),
      (await post('/multipart', '{')).res,
    ];
    for (const res of answers) {
      expect(Date.parse(String(res.headers.date))).not.toBeNaN();
      expect(Math.abs(Date.parse(String(res.headers.date)) - Date.now())).toBeLessThan(5000);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['x-frame-options']).toBeDefined();
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });

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

  it('allows configured origins only, exposing Retry-After, also on 401 and 429', async () => {
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
    const refused = await post(
      '/single',
      { name: 'a', size: 1, type: '' },
      { origin: 'https://app.example.com' },
    );
    expect(refused.status).toBe(401);
    expect(refused.res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const limited = build({ rateLimit: { perIp: 1, perOwner: 0, windowSeconds: 60 } });
    const headers = { origin: 'https://app.example.com' };
    await limited.inject({ method: 'GET', url: `${B}/time`, headers });
    const flooded = await limited.inject({ method: 'GET', url: `${B}/time`, headers });
    expect(flooded.statusCode).toBe(429);
    expect(flooded.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(flooded.headers['access-control-expose-headers']).toContain('Retry-After');
  });

  it('sends no CORS headers when no origin is configured', async () => {
    const bare = build({ allowedOrigins: [] });
    const res = await bare.inject({
      method: 'GET',
      url: `${B}/time`,
      headers: { origin: 'https://app.example.com' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('md5 pattern accepts real MD5s', async () => {
    const { status } = await post('/multipart/sign', {
      ...signOk,
      parts: [{ partNumber: 1, contentLength: 0, contentMd5: md5 }],
    });
    expect(status).toBe(200);
  });
});
