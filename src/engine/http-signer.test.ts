import { createServer } from 'node:net';
import { delay, HttpResponse, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UploadError } from './errors';
import { createHttpSigner } from './http-signer';

const B = 'http://signer.test/api/uploads';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ref = { key: 'k/1', uploadId: 'u-1' };
const signedPart = (partNumber: number) => ({
  partNumber,
  url: `https://s3.test/k?p=${partNumber}`,
  expiresAt: 5,
});

/** Answers POST `path` with `response` and records what the client sent. */
function answer(path: string, response: () => Response | Promise<Response>) {
  const seen: { body: unknown; headers: Headers }[] = [];
  server.use(
    http.post(`${B}${path}`, async ({ request }) => {
      seen.push({ body: await request.json(), headers: request.headers });
      return response();
    }),
  );
  return seen;
}

async function failure(promise: Promise<unknown>): Promise<UploadError> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UploadError);
  return error as UploadError;
}

describe('createHttpSigner: requests and responses', () => {
  it('creates a multipart upload, sending exactly the protocol fields', async () => {
    const seen = answer('/multipart', () => HttpResponse.json({ key: 'k/1', uploadId: 'u-1' }));
    const signer = createHttpSigner(`${B}/`);
    const input = { name: 'a.bin', size: 10, type: '', partSize: 5, partCount: 2, extra: 'dropped' };
    await expect(signer.createMultipartUpload(input)).resolves.toEqual(ref);
    expect(seen[0]?.body).toEqual({ name: 'a.bin', size: 10, type: '', partSize: 5, partCount: 2 });
    expect(seen[0]?.headers.get('content-type')).toBe('application/json');
    expect(seen[0]?.headers.get('authorization')).toBeNull();
  });

  it('signs parts, keeping headers and serverTime, and passes s3Time through', async () => {
    const part = { ...signedPart(1), headers: { 'Content-MD5': 'abc==' } };
    const seen = answer('/multipart/sign', () =>
      HttpResponse.json({ parts: [part, signedPart(2)], serverTime: 42 }),
    );
    const signer = createHttpSigner(B);
    const parts = [
      { partNumber: 1, contentLength: 5, contentMd5: 'abc==' },
      { partNumber: 2, contentLength: 5 },
    ];
    const out = await signer.signParts({ ...ref, parts, s3Time: 7 });
    expect(out).toEqual({ parts: [part, signedPart(2)], serverTime: 42 });
    expect(seen[0]?.body).toEqual({ ...ref, parts, s3Time: 7 });
  });

  it('lists parts, completes, aborts and signs a single PUT', async () => {
    answer('/multipart/list', () => HttpResponse.json({ parts: [{ partNumber: 1, etag: '"e1"', size: 5 }] }));
    const complete = answer('/multipart/complete', () =>
      HttpResponse.json({ key: 'k/1', etag: '"x-2"', size: 10 }),
    );
    answer('/multipart/abort', () => HttpResponse.json({ ok: true }));
    const single = answer('/single', () =>
      HttpResponse.json({ key: 'k/2', url: 'https://s3.test/k2', expiresAt: 9, serverTime: 1 }),
    );
    const signer = createHttpSigner(B);
    await expect(signer.listParts(ref)).resolves.toEqual({
      parts: [{ partNumber: 1, etag: '"e1"', size: 5 }],
    });
    const parts = [{ partNumber: 1, etag: '"e1"' }];
    await expect(signer.completeMultipartUpload({ ...ref, parts })).resolves.toEqual({
      key: 'k/1',
      etag: '"x-2"',
      size: 10,
    });
    expect(complete[0]?.body).toEqual({ ...ref, parts });
    await expect(signer.abortMultipartUpload(ref)).resolves.toBeUndefined();
    const out = await signer.signSinglePut({ name: 'b', size: 3, type: 'text/plain', contentMd5: 'm==' });
    expect(out).toEqual({ key: 'k/2', url: 'https://s3.test/k2', expiresAt: 9, serverTime: 1 });
    expect(single[0]?.body).toEqual({ name: 'b', size: 3, type: 'text/plain', contentMd5: 'm==' });
  });

  it('accepts an empty 204 for abort', async () => {
    answer('/multipart/abort', () => new HttpResponse(null, { status: 204 }));
    await expect(createHttpSigner(B).abortMultipartUpload(ref)).resolves.toBeUndefined();
  });

  it('sends a static or refreshed token and extra headers', async () => {
    const seen = answer('/multipart/list', () => HttpResponse.json({ parts: [] }));
    await createHttpSigner(B, { token: 'static', headers: { 'x-csrf': 'c' } }).listParts(ref);
    let n = 0;
    const refreshing = createHttpSigner(B, { token: async () => `t${++n}` });
    await refreshing.listParts(ref);
    await refreshing.listParts(ref);
    expect(seen.map((s) => s.headers.get('authorization'))).toEqual([
      'Bearer static',
      'Bearer t1',
      'Bearer t2',
    ]);
    expect(seen[0]?.headers.get('x-csrf')).toBe('c');
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fake: typeof fetch = async (input) => {
      calls.push(String(input));
      return Response.json({ parts: [] });
    };
    await createHttpSigner(B, { fetch: fake }).listParts(ref);
    expect(calls).toEqual([`${B}/multipart/list`]);
  });
});

describe('createHttpSigner: failures', () => {
  it('maps a refused connection to SIGNER_UNREACHABLE naming the URL', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/api`;
    server.use(http.all(`${url}/*`, () => passthrough()));
    const error = await failure(createHttpSigner(url).listParts(ref));
    expect(error.code).toBe('SIGNER_UNREACHABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`${url}/multipart/list`);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).toMatch(/running/);
    expect(error.message).toMatch(/CORS/);
  });

  it('maps a network error to SIGNER_UNREACHABLE', async () => {
    answer('/multipart', () => HttpResponse.error());
    const error = await failure(
      createHttpSigner(B).createMultipartUpload({ name: 'a', size: 1, type: '', partSize: 1, partCount: 1 }),
    );
    expect(error.code).toBe('SIGNER_UNREACHABLE');
  });

  it.each([
    [
      'an HTML page',
      () => HttpResponse.html('<!DOCTYPE html><html><body>Welcome</body></html>'),
      /not JSON.*text\/html.*DOCTYPE/,
    ],
    [
      'truncated JSON',
      () => HttpResponse.text('{"key": "k', { headers: { 'content-type': 'application/json' } }),
      /not JSON/,
    ],
    ['an empty body', () => new HttpResponse(null, { status: 200 }), /the body is not a JSON object/],
    ['a JSON array', () => HttpResponse.json([1, 2]), /the body is not a JSON object/],
    ['a missing field', () => HttpResponse.json({ key: 'k' }), /uploadId is missing/],
    [
      'a field of the wrong type',
      () => HttpResponse.json({ key: 'k', uploadId: 12 }),
      /uploadId is missing or not a string/,
    ],
  ])('maps %s to SIGNER_BAD_RESPONSE', async (_, response, message) => {
    answer('/multipart', response);
    const error = await failure(
      createHttpSigner(B).createMultipartUpload({ name: 'a', size: 1, type: '', partSize: 1, partCount: 1 }),
    );
    expect(error.code).toBe('SIGNER_BAD_RESPONSE');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`${B}/multipart`);
  });

  it.each([
    ['parts is not an array', { parts: {} }, /parts is missing or not an array/],
    ['a part has no url', { parts: [{ partNumber: 1, expiresAt: 1 }] }, /parts\[0\]\.url is missing/],
    [
      'a header is not a string',
      { parts: [{ ...signedPart(1), headers: { a: 1 } }] },
      /parts\[0\]\.headers\.a/,
    ],
    ['a requested part is missing', { parts: [signedPart(2)] }, /lacks part number\(s\) 1/],
    [
      'expiresAt is a string',
      { parts: [{ ...signedPart(1), expiresAt: '5' }] },
      /expiresAt is missing or not a number/,
    ],
  ])('rejects sign answers where %s', async (_, body, message) => {
    answer('/multipart/sign', () => HttpResponse.json(body));
    const error = await failure(
      createHttpSigner(B).signParts({ ...ref, parts: [{ partNumber: 1, contentLength: 1 }] }),
    );
    expect(error.code).toBe('SIGNER_BAD_RESPONSE');
    expect(error.message).toMatch(message);
  });

  it('rejects list, complete, abort and single answers of the wrong shape', async () => {
    answer('/multipart/list', () => HttpResponse.json({ parts: [{ partNumber: 0, etag: 'e' }] }));
    answer('/multipart/complete', () => HttpResponse.json({ key: 'k' }));
    answer('/multipart/abort', () => HttpResponse.json({ ok: false }));
    answer('/single', () => HttpResponse.json({ key: 'k', url: 'u' }));
    const signer = createHttpSigner(B);
    const results = await Promise.all([
      failure(signer.listParts(ref)),
      failure(signer.completeMultipartUpload({ ...ref, parts: [] })),
      failure(signer.abortMultipartUpload(ref)),
      failure(signer.signSinglePut({ name: 'a', size: 1, type: '' })),
    ]);
    expect(results.map((e) => e.code)).toEqual(Array(4).fill('SIGNER_BAD_RESPONSE'));
    expect(results.map((e) => e.message.match(/where (.*?);/)?.[1])).toEqual([
      'parts[0].partNumber is not a positive integer',
      'etag is missing or not a string',
      'ok is not true',
      'expiresAt is missing or not a number',
    ]);
  });

  it.each([400, 401, 403, 413])('maps %i to SIGNER_REJECTED with the signer message', async (status) => {
    const message = `Do the thing differently (${status})`;
    answer('/multipart/list', () => HttpResponse.json({ error: { code: 'X', message } }, { status }));
    const error = await failure(createHttpSigner(B).listParts(ref));
    expect(error.code).toBe('SIGNER_REJECTED');
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(status);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).toContain(`HTTP ${status} X`);
  });

  it('maps a 4xx without a protocol body to SIGNER_REJECTED showing what came back', async () => {
    answer('/multipart/list', () => HttpResponse.html('<h1>Not Found</h1>', { status: 404 }));
    const error = await failure(createHttpSigner(B).listParts(ref));
    expect(error.code).toBe('SIGNER_REJECTED');
    expect(error.status).toBe(404);
    expect(error.message).toContain('<h1>Not Found</h1>');
  });

  it('maps 404 UPLOAD_NOT_FOUND to UPLOAD_NOT_FOUND', async () => {
    const body = { error: { code: 'UPLOAD_NOT_FOUND', message: 'The upload is gone; start again.' } };
    answer('/multipart/list', () => HttpResponse.json(body, { status: 404 }));
    const error = await failure(createHttpSigner(B).listParts(ref));
    expect(error.code).toBe('UPLOAD_NOT_FOUND');
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(404);
    expect(error.message).toContain('The upload is gone; start again.');
  });

  it('maps 429 to a retryable SIGNER_FAILED carrying Retry-After', async () => {
    const body = { error: { code: 'RATE_LIMITED', message: 'Slow down.' } };
    answer('/multipart/list', () =>
      HttpResponse.json(body, { status: 429, headers: { 'retry-after': '3' } }),
    );
    const error = await failure(createHttpSigner(B).listParts(ref));
    expect(error).toMatchObject({ code: 'SIGNER_FAILED', retryable: true, status: 429, retryAfterMs: 3000 });

    const date = new Date(Date.now() + 60_000).toUTCString();
    answer('/multipart/list', () =>
      HttpResponse.json(body, { status: 429, headers: { 'retry-after': date } }),
    );
    const dated = await failure(createHttpSigner(B).listParts(ref));
    expect(dated.retryAfterMs).toBeGreaterThan(50_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(60_000);

    answer('/multipart/list', () => HttpResponse.json(body, { status: 429 }));
    const bare = await failure(createHttpSigner(B).listParts(ref));
    expect(bare).toMatchObject({ code: 'SIGNER_FAILED', retryable: true, retryAfterMs: undefined });
  });

  it.each([500, 502, 503])('maps %i (JSON or not) to a retryable SIGNER_FAILED', async (status) => {
    answer('/multipart/list', () =>
      HttpResponse.json({ error: { code: 'S3_ERROR', message: 'S3 failed' } }, { status }),
    );
    const error = await failure(createHttpSigner(B).listParts(ref));
    expect(error).toMatchObject({ code: 'SIGNER_FAILED', retryable: true, status });
    expect(error.message).toContain('S3 failed');

    answer('/multipart/list', () => HttpResponse.html('<html>Bad Gateway</html>', { status }));
    const html = await failure(createHttpSigner(B).listParts(ref));
    expect(html).toMatchObject({ code: 'SIGNER_FAILED', retryable: true, status });
  });

  it('maps 501 (an operation the signer or its S3 lacks) to a SIGNER_FAILED that is not retried', async () => {
    answer('/multipart/abort', () =>
      HttpResponse.json(
        { error: { code: 'S3_UNSUPPORTED', message: 'This S3 does not implement the operation.' } },
        { status: 501 },
      ),
    );
    const error = await failure(createHttpSigner(B).abortMultipartUpload(ref));
    expect(error).toMatchObject({ code: 'SIGNER_FAILED', retryable: false, status: 501 });
    expect(error.message).toContain('does not implement');
  });

  it('passes ctx.signal to fetch and rethrows the abort as is', async () => {
    answer('/multipart/list', async () => {
      await delay('infinite');
      return HttpResponse.json({ parts: [] });
    });
    const controller = new AbortController();
    const pending = createHttpSigner(B).listParts(ref, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await pending.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UploadError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('gives up on a signer that does not answer, with a retryable SIGNER_UNREACHABLE', async () => {
    answer('/multipart/list', async () => {
      await delay('infinite');
      return HttpResponse.json({ parts: [] });
    });
    const error = await failure(createHttpSigner(B, { timeoutMs: 50 }).listParts(ref));
    expect(error).toMatchObject({ code: 'SIGNER_UNREACHABLE', retryable: true });
    expect(error.message).toContain('did not answer within 0.05 s');
  });

  it('waits longer for a completion (S3 may take minutes to assemble the parts)', async () => {
    answer('/multipart/complete', async () => {
      await delay(200);
      return HttpResponse.json({ key: 'k/1', etag: '"e-1"', location: 'https://s3.test/k/1' });
    });
    const signer = createHttpSigner(B, { timeoutMs: 50 });
    const done = await signer.completeMultipartUpload({ ...ref, parts: [{ partNumber: 1, etag: '"a"' }] });
    expect(done.etag).toBe('"e-1"');
  });
});

describe('createHttpSigner: findUpload', () => {
  const fingerprint = 'ab'.repeat(32);

  it('posts the fingerprint (and hints) to /multipart/find and returns the upload', async () => {
    const seen = answer('/multipart/find', () =>
      HttpResponse.json({ upload: { key: 'k/1', uploadId: 'u-1', initiated: 1_700_000_000_000 } }),
    );
    const signer = createHttpSigner(B, { token: 't' });
    await expect(signer.findUpload?.({ fingerprint, size: 10, name: 'a.bin' })).resolves.toEqual({
      ...ref,
      initiated: 1_700_000_000_000,
    });
    expect(seen[0]?.body).toEqual({ fingerprint, size: 10, name: 'a.bin' });
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer t');
    await signer.findUpload?.({ fingerprint });
    expect(seen[1]?.body).toEqual({ fingerprint });
  });

  it('returns null when nothing was found, and without initiated', async () => {
    answer('/multipart/find', () => HttpResponse.json({ upload: null }));
    await expect(createHttpSigner(B).findUpload?.({ fingerprint })).resolves.toBeNull();
    answer('/multipart/find', () => HttpResponse.json({ upload: ref }));
    await expect(createHttpSigner(B).findUpload?.({ fingerprint })).resolves.toEqual(ref);
  });

  it.each([404, 405])('treats %i (a signer without the route) as nothing to resume', async (status) => {
    answer('/multipart/find', () =>
      HttpResponse.json({ error: { code: 'NOT_FOUND', message: 'No route' } }, { status }),
    );
    await expect(createHttpSigner(B).findUpload?.({ fingerprint })).resolves.toBeNull();
    answer('/multipart/find', () => HttpResponse.html('<h1>Not Found</h1>', { status }));
    await expect(createHttpSigner(B).findUpload?.({ fingerprint })).resolves.toBeNull();
  });

  it.each([
    ['upload is missing', {}, /upload is missing/],
    ['upload is a string', { upload: 'k' }, /upload is not a JSON object/],
    ['key is missing', { upload: { uploadId: 'u' } }, /upload\.key is missing/],
    ['uploadId is empty', { upload: { key: 'k', uploadId: '' } }, /empty/],
    [
      'initiated is a string',
      { upload: { ...ref, initiated: 'today' } },
      /upload\.initiated is missing or not a number/,
    ],
  ])('rejects an answer where %s (SIGNER_BAD_RESPONSE)', async (_, body, message) => {
    answer('/multipart/find', () => HttpResponse.json(body));
    const error = await failure(createHttpSigner(B).findUpload?.({ fingerprint }) ?? Promise.resolve());
    expect(error.code).toBe('SIGNER_BAD_RESPONSE');
    expect(error.message).toMatch(message);
  });

  it('keeps other failures: 400 rejected, 5xx and 429 retryable', async () => {
    answer('/multipart/find', () =>
      HttpResponse.json({ error: { code: 'BAD_REQUEST', message: 'Bad fingerprint' } }, { status: 400 }),
    );
    expect(
      await failure(createHttpSigner(B).findUpload?.({ fingerprint: 'x' }) ?? Promise.resolve()),
    ).toMatchObject({
      code: 'SIGNER_REJECTED',
      status: 400,
    });
    answer('/multipart/find', () =>
      HttpResponse.json({ error: { code: 'S3_ERROR', message: 'S3' } }, { status: 502 }),
    );
    expect(
      await failure(createHttpSigner(B).findUpload?.({ fingerprint }) ?? Promise.resolve()),
    ).toMatchObject({
      code: 'SIGNER_FAILED',
      retryable: true,
    });
  });
});

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}
