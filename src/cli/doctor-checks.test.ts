import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runDoctor } from './doctor';
import {
  allowsOrigin,
  bucketOf,
  checkClock,
  checkSignerCors,
  type DoctorContext,
  type HttpAnswer,
  missingFromList,
  SKEW_FAIL_MS,
} from './doctor-checks';
import { type DoctorReport, formatReport } from './doctor-report';

const ORIGIN = 'https://app.example.com';
const SIGNER = 'https://signer.example.com/api/uploads';

function answer(headers: Record<string, string> = {}, sentAt = 1_000, receivedAt = 1_020): HttpAnswer {
  return { status: 200, headers: new Headers(headers), text: '', sentAt, receivedAt };
}

type Route = (request: Request) => Response | Promise<Response>;

/** A fetch that answers `METHOD url-without-query` from `routes` and records every call. */
function fakeFetch(routes: Record<string, Route>) {
  const calls: string[] = [];
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const name = `${request.method} ${url.origin}${url.pathname}`;
    calls.push(name);
    const route = routes[name];
    if (!route) throw new TypeError('fetch failed', { cause: new Error(`no route ${name}`) });
    return route(request);
  }) as typeof fetch;
  return { impl, calls };
}

function ctx(fetchImpl: typeof fetch): DoctorContext {
  return { signer: SIGNER, origin: ORIGIN, token: 'tok', fetch: fetchImpl, now: Date.now, timeoutMs: 1000 };
}

describe('doctor helpers', () => {
  it('reads CORS list headers case-insensitively; * does not cover Authorization', () => {
    expect(missingFromList('Content-Type, AUTHORIZATION', ['authorization', 'content-type'])).toEqual([]);
    expect(missingFromList('*', ['authorization', 'content-type'])).toEqual(['authorization']);
    expect(missingFromList(null, ['etag'])).toEqual(['etag']);
    expect(missingFromList('x-amz-request-id, ETag', ['etag'])).toEqual([]);
    expect(allowsOrigin('*', ORIGIN)).toBe(true);
    expect(allowsOrigin(ORIGIN, ORIGIN)).toBe(true);
    expect(allowsOrigin('https://other.example.com', ORIGIN)).toBe(false);
    expect(allowsOrigin(null, ORIGIN)).toBe(false);
  });

  it('finds the bucket of path-style and virtual-hosted presigned URLs', () => {
    const key = 'uploads/me/2026-01-01/abc/a b.txt';
    expect(bucketOf(`http://127.0.0.1:7480/my-bucket/${encodeURI(key)}?X-Amz-Signature=x`, key)).toEqual({
      bucket: 'my-bucket',
      endpoint: 'http://127.0.0.1:7480',
    });
    expect(bucketOf(`https://my-bucket.s3.eu-west-1.amazonaws.com/${encodeURI(key)}`, key)).toEqual({
      bucket: 'my-bucket',
      endpoint: undefined,
    });
    expect(bucketOf(`https://s3.amazonaws.com/my-bucket/${encodeURI(key)}`, key)).toEqual({
      bucket: 'my-bucket',
      endpoint: undefined,
    });
  });

  it('judges the clock: pass within 5 s, warn above, fail above 15 min', () => {
    const at = (skew: number) =>
      checkClock({ answer: answer({}, 1_000_000, 1_000_020), serverTime: 1_000_010 + skew, precisionMs: 10 });
    expect(at(30)).toMatchObject({ status: 'pass', message: expect.stringContaining('agrees with') });
    expect(at(2_000)).toMatchObject({ status: 'pass', message: expect.stringContaining('2.0 s ahead of') });
    expect(at(-6_000)).toMatchObject({ status: 'warn', message: expect.stringContaining('6.0 s behind') });
    const fail = at(SKEW_FAIL_MS + 60_000);
    expect(fail).toMatchObject({ status: 'fail', message: expect.stringContaining('16.0 min ahead of') });
    expect(fail.fix).toContain('NTP');
  });
});

describe('signer CORS check', () => {
  const time = { answer: answer({ 'access-control-allow-origin': ORIGIN }), serverTime: 1, precisionMs: 1 };

  it('fails a preflight whose Allow-Headers is only *, which does not cover Authorization', async () => {
    const { impl } = fakeFetch({
      [`OPTIONS ${SIGNER}/multipart`]: () =>
        new Response(null, {
          status: 204,
          headers: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-headers': '*' },
        }),
    });
    const result = await checkSignerCors(ctx(impl), time);
    expect(result).toMatchObject({ status: 'fail', message: expect.stringContaining('authorization') });
    expect(result.fix).toContain(`SIGNER_ALLOWED_ORIGINS=${ORIGIN}`);
  });

  it('sends the preflight a browser sends, and passes a complete answer', async () => {
    let seen: Headers | undefined;
    const { impl } = fakeFetch({
      [`OPTIONS ${SIGNER}/multipart`]: (request) => {
        seen = request.headers;
        return new Response(null, {
          status: 204,
          headers: {
            'access-control-allow-origin': ORIGIN,
            'access-control-allow-methods': 'GET, POST',
            'access-control-allow-headers': 'Content-Type, Authorization',
          },
        });
      },
    });
    expect(await checkSignerCors(ctx(impl), time)).toMatchObject({ status: 'pass' });
    expect(seen?.get('origin')).toBe(ORIGIN);
    expect(seen?.get('access-control-request-method')).toBe('POST');
    expect(seen?.get('access-control-request-headers')).toBe('authorization,content-type');
  });
});

/** A signer's JSON answer, CORS-allowed for ORIGIN. */
function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'access-control-allow-origin': ORIGIN },
  });
}

/** The signer's clock and its CORS preflight for the create call, both healthy. */
function signerBasics(): Record<string, Route> {
  return {
    [`GET ${SIGNER}/time`]: () => json({ serverTime: Date.now() }),
    [`OPTIONS ${SIGNER}/multipart`]: () =>
      new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': ORIGIN,
          'access-control-allow-headers': 'authorization,content-type',
        },
      }),
  };
}

describe('runDoctor', () => {
  it('aborts its test upload even when S3 cannot be reached', async () => {
    const partUrl = 'https://bucket.s3.amazonaws.com/uploads/k';
    const { impl, calls } = fakeFetch({
      ...signerBasics(),
      [`POST ${SIGNER}/multipart`]: () => json({ key: 'uploads/k', uploadId: 'u1' }),
      [`POST ${SIGNER}/multipart/sign`]: () =>
        json({
          parts: [{ partNumber: 1, url: `${partUrl}?X-Amz-Signature=s`, expiresAt: Date.now() + 60_000 }],
        }),
      [`POST ${SIGNER}/multipart/abort`]: () => json({ ok: true }),
      [`POST ${SIGNER}/multipart/list`]: () =>
        json({ error: { code: 'UPLOAD_NOT_FOUND', message: 'gone' } }, 404),
    });
    const report = await runDoctor({ signer: `${SIGNER}/`, origin: ORIGIN, token: 'tok', fetch: impl });
    expect(report.ok).toBe(false);
    expect(Object.fromEntries(report.checks.map((c) => [c.id, c.status]))).toEqual({
      'signer-reachable': 'pass',
      'signer-cors': 'pass',
      auth: 'pass',
      'clock-skew': 'pass',
      'test-upload': 'pass',
      's3-cors-preflight': 'fail',
      's3-put': 'fail',
      cleanup: 'pass',
    });
    expect(report.skipped.map((s) => s.id)).toEqual(['etag-exposed', 'part-stored', 'part-hosts']);
    expect(report.checks.find((c) => c.id === 's3-put')?.message).toContain('got no answer');
    expect(calls.slice(-2)).toEqual([`POST ${SIGNER}/multipart/abort`, `POST ${SIGNER}/multipart/list`]);
  });
});

describe('part hosts check', () => {
  const KEY = 'uploads/k';
  const S3_CORS = {
    'access-control-allow-origin': ORIGIN,
    'access-control-allow-methods': 'PUT',
    'access-control-allow-headers': 'content-md5,content-type',
    'access-control-expose-headers': 'ETag',
  };

  /**
   * A signer that signs part N for `hosts[(N - 1) % k]`, in front of an S3 that answers on every
   * host but `down` with a complete CORS, except the preflight on `noCors`; records the PUTs' hosts.
   */
  function deployment(hosts: string[], noCors: string[] = [], down: string[] = [], maxParts = 100) {
    const stored = new Map<number, { etag: string; size: number }>();
    const putHosts: string[] = [];
    let aborted = false;
    const routes: Record<string, Route> = {
      ...signerBasics(),
      [`POST ${SIGNER}/multipart`]: () => json({ key: KEY, uploadId: 'u1' }),
      [`POST ${SIGNER}/multipart/sign`]: async (request) => {
        const body = (await request.json()) as { parts: { partNumber: number; contentMd5: string }[] };
        if (body.parts.length > maxParts) {
          return json({ error: { code: 'BAD_REQUEST', message: 'parts beyond partCount' } }, 400);
        }
        return json({
          parts: body.parts.map(({ partNumber, contentMd5 }) => ({
            partNumber,
            url: `${hosts[(partNumber - 1) % hosts.length]}/bucket/${KEY}?partNumber=${partNumber}&X-Amz-Signature=s`,
            headers: { 'Content-MD5': contentMd5 },
            expiresAt: Date.now() + 60_000,
          })),
        });
      },
      [`POST ${SIGNER}/multipart/list`]: () =>
        aborted
          ? json({ error: { code: 'UPLOAD_NOT_FOUND', message: 'gone' } }, 404)
          : json({ parts: [...stored].map(([partNumber, p]) => ({ partNumber, ...p })) }),
      [`POST ${SIGNER}/multipart/abort`]: () => {
        aborted = true;
        return json({ ok: true });
      },
    };
    for (const host of hosts.filter((h) => !down.includes(h))) {
      routes[`OPTIONS ${host}/bucket/${KEY}`] = () =>
        noCors.includes(host)
          ? new Response(null, { status: 403 })
          : new Response(null, { headers: S3_CORS });
      routes[`PUT ${host}/bucket/${KEY}`] = async (request) => {
        const bytes = new Uint8Array(await request.arrayBuffer());
        const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
        stored.set(Number(new URL(request.url).searchParams.get('partNumber')), { etag, size: bytes.length });
        putHosts.push(host);
        return new Response(null, { headers: { ...S3_CORS, etag } });
      };
    }
    const { impl, calls } = fakeFetch(routes);
    return { impl, calls, putHosts };
  }

  const run = (impl: typeof fetch) =>
    runDoctor({ signer: SIGNER, origin: ORIGIN, token: 'tok', fetch: impl });
  const partHosts = (report: DoctorReport) => report.checks.find((c) => c.id === 'part-hosts');

  it('passes when every part goes to one host', async () => {
    const { impl, calls } = deployment(['http://s3.test']);
    const report = await run(impl);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['signer-reachable', 'pass'],
      ['signer-cors', 'pass'],
      ['auth', 'pass'],
      ['clock-skew', 'pass'],
      ['test-upload', 'pass'],
      ['s3-cors-preflight', 'pass'],
      ['s3-put', 'pass'],
      ['etag-exposed', 'pass'],
      ['part-stored', 'pass'],
      ['part-hosts', 'pass'],
      ['cleanup', 'pass'],
    ]);
    expect(report.ok).toBe(true);
    expect(partHosts(report)?.message).toBe('All parts go to http://s3.test.');
    expect(calls.filter((c) => c.startsWith('PUT '))).toHaveLength(1);
  });

  it('preflights and PUTs the first part of each other host, and passes naming it', async () => {
    const { impl, putHosts } = deployment(['http://a.test', 'http://b.test']);
    const report = await run(impl);
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(partHosts(report)?.message).toBe('Parts also go to http://b.test: CORS, PUT and ETag work there.');
    expect(putHosts).toEqual(['http://a.test', 'http://b.test']);
    expect(report.checks.find((c) => c.id === 'part-stored')?.message).toContain('part 1');
  });

  it('fails naming the host whose preflight fails, with its CORS fix and S3_PART_ENDPOINTS', async () => {
    const hosts = ['http://a.test', 'http://b.test', 'http://c.test'];
    const { impl, calls, putHosts } = deployment(hosts, ['http://c.test']);
    const report = await run(impl);
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['part-hosts']);
    const check = partHosts(report);
    expect(check?.status).toBe('fail');
    expect(check?.message).toContain('Parts also go to http://b.test, http://c.test;');
    expect(check?.message).toContain('http://c.test (part 3): S3 (http://c.test) answered the preflight');
    expect(check?.message).not.toContain('http://b.test (part 2)');
    expect(check?.fix).toContain('For http://c.test (part 3): Allow PUT from https://app.example.com');
    expect(check?.fix).toContain('--endpoint-url http://c.test');
    expect(check?.fix).toContain('Or remove http://c.test from the hosts');
    expect(check?.fix).toContain('S3_PART_ENDPOINTS');
    expect(putHosts).toEqual(['http://a.test', 'http://b.test']);
    expect(calls.slice(-2)).toEqual([`POST ${SIGNER}/multipart/abort`, `POST ${SIGNER}/multipart/list`]);
  });

  it('names an extra host that does not answer at all, in the checklist', async () => {
    const { impl } = deployment(['http://a.test', 'http://nowhere.test'], [], ['http://nowhere.test']);
    const text = formatReport(await run(impl), { signer: SIGNER, origin: ORIGIN });
    expect(text).toContain(
      '✗ Other part hosts: Parts also go to http://nowhere.test; in a browser the parts sent to http://nowhere.test fail: ' +
        'http://nowhere.test (part 2): The CORS preflight to http://nowhere.test got no answer',
    );
    expect(text).toContain(
      "    fix: For http://nowhere.test (part 2): Check that http://nowhere.test (the endpoint in the signer's presigned URLs, S3_PART_ENDPOINTS) is reachable",
    );
    expect(text).toContain('✓ Cleanup: ');
  });

  it('warns when the signer signs only part 1 of the one-part test upload, and checks that part', async () => {
    const { impl, putHosts } = deployment(['http://a.test', 'http://b.test'], [], [], 1);
    const report = await run(impl);
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['part-hosts']);
    expect(partHosts(report)).toMatchObject({ status: 'warn' });
    expect(partHosts(report)?.message).toContain(
      "HTTP 400 BAD_REQUEST: parts beyond partCount), so only part 1's host http://a.test",
    );
    expect(putHosts).toEqual(['http://a.test']);
  });
});
