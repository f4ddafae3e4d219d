import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, flush } from '../../test/support/fake-clock';
import { createFakeS3, randomBytes } from '../../test/support/fake-s3';
import { ConcurrencyPool } from './concurrency-pool';
import { UploadError } from './errors';
import type { NetworkStatus, Transport, TransportResponse } from './types';
import type { UploadOptions } from './upload';
import { createUpload } from './upload';
import type { UploadState } from './upload-state';

const PART = 1024;
const limits = { minPartSize: PART, maxPartSize: 1024 * 1024, maxParts: 10_000 };

type Fake = { clock: FakeClock; s3: ReturnType<typeof createFakeS3> };

/** An Upload of random bytes against the fake S3; `overrides` may depend on the fake's clock and S3. */
function setup(
  size = 11 * PART + 100,
  overrides: Partial<UploadOptions> | ((fake: Fake) => Partial<UploadOptions>) = {},
  s3Options: { urlLifetimeMs?: number } = {},
) {
  const clock = new FakeClock();
  const s3 = createFakeS3({ now: () => clock.now(), ...s3Options });
  const data = randomBytes(size);
  const file = new File([data], 'data.bin', { type: 'application/octet-stream' });
  const options: UploadOptions = {
    signer: s3.signer,
    transport: s3.transport,
    clock,
    random: () => 0.5,
    partSize: PART,
    limits,
    singlePutThreshold: 0,
    integrity: false,
    concurrency: 3,
    pool: new ConcurrencyPool(6),
    progressIntervalMs: 0,
    ...(typeof overrides === 'function' ? overrides({ clock, s3 }) : overrides),
  };
  const upload = createUpload(file, options);
  const states: UploadState[] = [];
  upload.subscribe((state) => states.push(state));
  return { clock, s3, data, file, upload, states, options };
}

function respond(status: number, body = '', headers: Record<string, string> = {}): TransportResponse {
  return { status, body, header: (name) => headers[name.toLowerCase()] ?? null };
}

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: UploadError }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error: error as UploadError };
  }
}

afterEach(() => {});

describe('Upload (multipart)', () => {
  it('uploads every part once, batches signing, and assembles an identical object', async () => {
    const { clock, s3, data, upload, states } = setup();
    const done = upload.start();
    await clock.advance(1000);
    const result = await done;
    expect(result).toMatchObject({
      key: 'uploads/data.bin',
      size: data.length,
      partCount: 12,
      etag: '"md5-12"',
    });
    expect(s3.objects.get('uploads/data.bin')).toEqual(data);
    const sent = s3.puts.map((p) => p.partNumber).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const signCalls = s3.calls.filter((c) => c.startsWith('sign:'));
    expect(signCalls.length).toBeLessThanOrEqual(3);
    expect(signCalls[0]).toBe('sign:1,2,3,4,5,6');
    expect(states.at(-1)?.status).toBe('completed');
    expect(states.at(-1)?.percent).toBe(100);
    const progress = states.map((s) => s.bytesUploaded);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('never has more parts in flight than the per-upload cap, nor than the shared pool across uploads', async () => {
    const clock = new FakeClock();
    const s3 = createFakeS3({ now: () => clock.now() });
    let inFlight = 0;
    let peak = 0;
    const transport: Transport = async (request) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 10));
      try {
        return await s3.transport(request);
      } finally {
        inFlight -= 1;
      }
    };
    const pool = new ConcurrencyPool(4);
    const make = (seed: number) =>
      createUpload(new File([randomBytes(20 * PART, seed)], `f${seed}.bin`), {
        signer: s3.signer,
        transport,
        clock,
        partSize: PART,
        limits,
        singlePutThreshold: 0,
        integrity: false,
        concurrency: 3,
        pool,
      });
    const uploads = [make(1), make(2), make(3)];
    const results = uploads.map((u) => u.start());
    await clock.advance(2000);
    await Promise.all(results);
    expect(peak).toBe(4);
    expect(pool.inUse).toBe(0);

    peak = 0;
    const single = make(4);
    const done = single.start();
    await clock.advance(2000);
    await done;
    expect(peak).toBe(3);
  });

  it('retries 500s with backoff, keeps progress monotonic, and completes', async () => {
    const { clock, s3, data, upload, states } = setup();
    let failures = 0;
    s3.setFault((_req, part) => {
      if (part === 2 && failures < 2) {
        failures += 1;
        return respond(500, '<Error><Code>InternalError</Code><Message>boom</Message></Error>');
      }
      return undefined;
    });
    const done = upload.start();
    await clock.advance(100);
    expect(upload.getState().status).toBe('uploading'); // part 2 waits for its backoff
    await clock.advance(10_000);
    await done;
    expect(failures).toBe(2);
    expect(s3.objects.get('uploads/data.bin')).toEqual(data);
    expect(upload.getState().retries).toBe(2);
    const progress = states.map((s) => s.bytesUploaded);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('fails with RETRIES_EXHAUSTED when a part keeps failing, keeping finished parts for retry()', async () => {
    const { clock, s3, data, upload } = setup(11 * PART + 100, { maxPartAttempts: 3 });
    let broken = true;
    s3.setFault((_req, part) => (part === 5 && broken ? 'network' : undefined));
    const done = settle(upload.start());
    await clock.advance(60_000);
    const { error } = await done;
    expect(error?.code).toBe('RETRIES_EXHAUSTED');
    expect(error?.message).toMatch(/Part 5 kept failing/);
    expect(upload.getState().status).toBe('error');
    const sentBefore = s3.puts.length;
    broken = false;
    const again = upload.retry();
    await clock.advance(1000);
    await again;
    expect(s3.objects.get('uploads/data.bin')).toEqual(data);
    expect(s3.puts.length - sentBefore).toBeLessThanOrEqual(4); // part 5 plus parts aborted in flight
  });

  it('signs the next parts in the background, so no part waits for the signer at a batch boundary', async () => {
    // Each signer call takes 1 s and each PUT 5 s.
    const { clock, s3, upload } = setup(6 * PART, ({ clock, s3 }) => {
      const wait = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
      const signParts = s3.signer.signParts;
      s3.signer.signParts = async (input, ctx) => {
        await wait(1000);
        return signParts(input, ctx);
      };
      return {
        transport: async (request) => {
          await wait(5000);
          return s3.transport(request);
        },
        concurrency: 2,
        signBatchSize: 2,
        stallTimeoutMs: 60_000,
      };
    });
    const startedAt = clock.now();
    let completedAt = -1;
    upload.subscribe((state) => {
      if (state.status === 'completed' && completedAt < 0) completedAt = clock.now() - startedAt;
    });
    const done = upload.start();
    await clock.advance(30_000);
    await done;
    // 1 s for the first batch, then three rounds of two 5 s PUTs back to back: the batches for
    // parts 3–4 and 5–6 were signed while earlier parts were in flight (waiting would add 2 s).
    expect(completedAt).toBe(16_000);
    expect(s3.calls.filter((c) => c.startsWith('sign'))).toEqual(['sign:1,2', 'sign:3,4', 'sign:5,6']);
  });

  it('re-signs an expired URL instead of failing', async () => {
    const { clock, s3, data, upload } = setup();
    let expired = 0;
    s3.setFault((_req, part) => {
      if (part === 3 && expired === 0) {
        expired += 1;
        return respond(403, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      }
      return undefined;
    });
    const done = upload.start();
    await clock.advance(1000);
    await done;
    expect(expired).toBe(1);
    expect(s3.calls.some((c) => c === 'sign:3' || c.startsWith('sign:3,'))).toBe(true);
    expect(s3.objects.get('uploads/data.bin')).toEqual(data);
  });

  it('re-signs after a bare 403 AccessDenied (Ceph RGW style) once the URL has expired', async () => {
    let slowOnce = true;
    const { clock, s3, upload } = setup(
      3 * PART,
      ({ clock, s3 }) => ({
        transport: async (request) => {
          if (slowOnce && request.url.includes('partNumber=2&')) {
            slowOnce = false;
            // The request reaches S3 only after its URL expired; RGW then says just AccessDenied.
            await new Promise<void>((resolve) => clock.setTimeout(resolve, 95_000));
            return respond(403, '<Error><Code>AccessDenied</Code><Message></Message></Error>');
          }
          return s3.transport(request);
        },
        concurrency: 1,
        stallTimeoutMs: 10 * 60_000,
      }),
      { urlLifetimeMs: 90_000 },
    );
    const done = upload.start();
    await clock.advance(100_000);
    await done;
    expect(upload.getState().status).toBe('completed');
    // sign:3 is signed ahead while part 2 is sent; part 2's refused URL is signed again.
    expect(s3.calls.filter((c) => c.startsWith('sign'))).toEqual(['sign:1,2', 'sign:3', 'sign:2,3']);
  });

  it('fails on a bare 403 AccessDenied while the URL is still valid', async () => {
    const { clock, s3, upload } = setup();
    s3.setFault((_req, part) =>
      part === 1 ? respond(403, '<Error><Code>AccessDenied</Code><Message></Message></Error>') : undefined,
    );
    const done = settle(upload.start());
    await clock.advance(1000);
    expect((await done).error?.code).toBe('S3_REJECTED');
  });

  it('signs again before using a URL that is about to expire', async () => {
    const clock = new FakeClock();
    const s3 = createFakeS3({ now: () => clock.now(), urlLifetimeMs: 90_000 });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const transport: Transport = async (request) => {
      if (request.url.includes('partNumber=1&')) await gate;
      return s3.transport(request);
    };
    const upload = createUpload(new File([randomBytes(4 * PART)], 'x.bin'), {
      signer: s3.signer,
      transport,
      clock,
      partSize: PART,
      limits,
      singlePutThreshold: 0,
      integrity: false,
      concurrency: 1,
      pool: new ConcurrencyPool(6),
      stallTimeoutMs: 10 * 60_000,
    });
    const done = upload.start();
    await clock.advance(10);
    expect(s3.calls.filter((c) => c.startsWith('sign'))).toEqual(['sign:1,2']);
    await clock.advance(60_000); // part 2's URL now has 30 s left: less than the 60 s margin
    release();
    await clock.advance(10);
    await done;
    expect(s3.calls.filter((c) => c.startsWith('sign'))).toEqual(['sign:1,2', 'sign:2,3', 'sign:4']);
  });

  it('uses URLs shorter-lived than the refresh margin instead of re-signing them forever', async () => {
    const clock = new FakeClock();
    const s3 = createFakeS3({ now: () => clock.now(), urlLifetimeMs: 5_000 });
    const upload = createUpload(new File([randomBytes(4 * PART)], 'x.bin'), {
      signer: s3.signer,
      transport: s3.transport,
      clock,
      partSize: PART,
      limits,
      singlePutThreshold: 0,
      integrity: false,
      concurrency: 2,
      pool: new ConcurrencyPool(6),
    });
    const done = upload.start();
    await clock.advance(100);
    await done;
    expect(s3.calls.filter((c) => c.startsWith('sign'))).toEqual(['sign:1,2,3,4']);
  });

  it('passes S3 time to the signer after RequestTimeTooSkewed', async () => {
    const { clock, s3, upload } = setup();
    const seen: Array<number | undefined> = [];
    const sign = s3.signer.signParts;
    s3.signer.signParts = (input, ctx) => {
      seen.push(input.s3Time);
      return sign(input, ctx);
    };
    let skewed = false;
    s3.setFault((_req, part) => {
      if (part === 1 && !skewed) {
        skewed = true;
        return respond(
          403,
          '<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><ServerTime>2030-01-01T00:00:00Z</ServerTime></Error>',
        );
      }
      return undefined;
    });
    const done = upload.start();
    await clock.advance(1000);
    await done;
    expect(seen[0]).toBeUndefined();
    expect(seen.at(-1)).toBe(Date.parse('2030-01-01T00:00:00Z'));
  });

  it('halves its concurrency on 503 SlowDown', async () => {
    const clock = new FakeClock();
    const s3 = createFakeS3({ now: () => clock.now() });
    let inFlight = 0;
    const peaks: number[] = [];
    let throttled = 0;
    const transport: Transport = async (request) => {
      inFlight += 1;
      peaks.push(inFlight);
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 10));
      try {
        if (throttled < 1 && request.url.includes('partNumber=2&')) {
          throttled += 1;
          return respond(
            503,
            '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
          );
        }
        return await s3.transport(request);
      } finally {
        inFlight -= 1;
      }
    };
    const upload = createUpload(new File([randomBytes(12 * PART)], 'x.bin'), {
      signer: s3.signer,
      transport,
      clock,
      random: () => 0,
      partSize: PART,
      limits,
      singlePutThreshold: 0,
      integrity: false,
      concurrency: 4,
      pool: new ConcurrencyPool(6),
    });
    const done = upload.start();
    await clock.advance(12); // first wave of 4 finished, one throttled
    const afterThrottle = peaks.length;
    await clock.advance(15);
    expect(Math.max(...peaks.slice(afterThrottle, afterThrottle + 2))).toBeLessThanOrEqual(2);
    await clock.advance(1000);
    await done;
    expect(throttled).toBe(1);
  });

  it('aborts a stalled request and retries it, without treating it as a cancel', async () => {
    const { clock, s3, data, upload } = setup(11 * PART + 100, { stallTimeoutMs: 5_000 });
    let stalls = 0;
    s3.setFault((_req, part) => {
      if (part === 4 && stalls === 0) {
        stalls += 1;
        return 'hang';
      }
      return undefined;
    });
    const done = upload.start();
    await clock.advance(4_000);
    expect(upload.getState().status).toBe('uploading');
    expect(upload.getState().partsCompleted).toBe(11);
    await clock.advance(10_000);
    await done;
    expect(stalls).toBe(1);
    expect(upload.getState().retries).toBe(1);
    expect(s3.objects.get('uploads/data.bin')).toEqual(data);
  });

  it('stops with FILE_UNREADABLE when the file cannot be read any more instead of retrying', async () => {
    const clock = new FakeClock();
    const s3 = createFakeS3({ now: () => clock.now() });
    const real = new File([randomBytes(4 * PART)], 'x.bin');
    let broken = false;
    const unreadable = new Error('NotReadableError: the file changed');
    const file = Object.assign(Object.create(null), {
      size: real.size,
      name: 'x.bin',
      type: '',
      slice: (start: number, end: number) =>
        broken
          ? { arrayBuffer: () => Promise.reject(unreadable), size: end - start }
          : real.slice(start, end),
    }) as File;
    const transport: Transport = async (request) => {
      if (request.url.includes('partNumber=3&')) {
        broken = true;
        throw new Error('read failed');
      }
      return s3.transport(request);
    };
    const upload = createUpload(file, {
      ...setup().options,
      signer: s3.signer,
      transport,
      clock,
      concurrency: 1,
    });
    const done = settle(upload.start());
    await clock.advance(1000);
    const { error } = await done;
    expect(error?.code).toBe('FILE_UNREADABLE');
    expect(error?.message).toMatch(/changed, moved or deleted/);
    expect(upload.getState().retries).toBe(0);
  });

  it('fails at once on a 4xx it cannot fix, with S3 code in the message', async () => {
    const { clock, s3, upload } = setup();
    s3.setFault((_req, part) =>
      part === 2
        ? respond(403, '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>')
        : undefined,
    );
    const done = settle(upload.start());
    await clock.advance(1000);
    const { error } = await done;
    expect(error?.code).toBe('S3_REJECTED');
    expect(error?.message).toMatch(/HTTP 403 AccessDenied: Access Denied/);
    expect(s3.puts.filter((p) => p.partNumber === 2)).toHaveLength(0);
  });

  it('reports ETAG_NOT_EXPOSED when S3 answers 200 without a readable ETag', async () => {
    const { clock, s3, upload } = setup();
    s3.setFault(() => respond(200));
    const done = settle(upload.start());
    await clock.advance(1000);
    const { error } = await done;
    expect(error?.code).toBe('ETAG_NOT_EXPOSED');
    expect(error?.message).toMatch(/ExposeHeaders/);
  });

  it('pauses (aborting parts in flight), sends nothing while paused, and resumes to completion', async () => {
    const { clock, s3, data, upload } = setup(20 * PART, { concurrency: 2 });
    let hold = true;
    s3.setFault((_req, part) => (hold && (part ?? 0) > 4 ? 'hang' : undefined));
    const done = upload.start();
    await clock.advance(100);
    expect(upload.getState().partsCompleted).toBe(4);
    upload.pause();
    await flush();
    expect(upload.getState().status).toBe('paused');
    const before = s3.puts.length;
    hold = false;
    await clock.advance(60_000);
    expect(s3.puts.length).toBe(before);
    upload.resume();
    await clock.advance(1000);
    await done;
    expect(s3.objects.get('uploads/data.bin')).toEqual(data);
    expect(s3.puts.map((p) => p.partNumber).filter((n) => n !== null && n <= 4)).toHaveLength(4);
  });

  it('continues after pause() and resume() in the same tick', async () => {
    const { clock, s3, data, file, options } = setup(20 * PART);
    let hold = true;
    const held: Array<() => void> = [];
    const gated: Transport = async (request) => {
      if (hold) await new Promise<void>((resolve) => held.push(resolve));
      return s3.transport(request);
    };
    const upload = createUpload(file, { ...options, transport: gated });
    const done = upload.start();
    await clock.advance(10);
    expect(held.length).toBe(3);
    upload.pause();
    upload.resume();
    hold = false;
    for (const release of held) release();
    await clock.advance(1000);
    await done;
    expect(upload.getState().status).toBe('completed');
    expect(s3.objects.get('uploads/data.bin')).toEqual(data);
  });

  it('cancel aborts the multipart upload on the signer and rejects with CANCELLED', async () => {
    const { clock, s3, upload } = setup(20 * PART);
    s3.setFault((_req, part) => ((part ?? 0) > 2 ? 'hang' : undefined));
    const done = settle(upload.start());
    await clock.advance(100);
    await upload.cancel();
    const { error } = await done;
    expect(error?.code).toBe('CANCELLED');
    expect(upload.getState().status).toBe('cancelled');
    expect(s3.calls).toContain('abort');
    expect(s3.uploads.size).toBe(0);
  });

  it('cancel gives up quickly on a signer that cannot abort, and still ends cancelled', async () => {
    const { clock, s3, upload } = setup(20 * PART);
    s3.setFault((_req, part) => ((part ?? 0) > 2 ? 'hang' : undefined));
    let aborts = 0;
    s3.signer.abortMultipartUpload = async () => {
      aborts += 1;
      throw new UploadError('SIGNER_FAILED', 'NotImplemented', { retryable: true, status: 502 });
    };
    const done = settle(upload.start());
    await clock.advance(100);
    const cancelled = upload.cancel();
    await clock.advance(5_000);
    await cancelled;
    expect((await done).error?.code).toBe('CANCELLED');
    expect(upload.getState().status).toBe('cancelled');
    expect(upload.getState().error?.code).toBe('SIGNER_FAILED');
    expect(aborts).toBe(3);
  });

  it('goes offline without spending retries and continues when the network is back', async () => {
    let online = true;
    const listeners = new Set<(online: boolean) => void>();
    const network: NetworkStatus = {
      isOnline: () => online,
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const { clock, s3, data, upload } = setup(20 * PART, { network, maxPartAttempts: 2 });
    s3.setFault((_req, part) => (!online || (part ?? 0) > 3 ? (online ? 'hang' : 'network') : undefined));
    const done = upload.start();
    await clock.advance(100);
    online = false;
    for (const l of listeners) l(false);
    await clock.advance(100);
    expect(upload.getState().status).toBe('offline');
    const before = s3.puts.length;
    await clock.advance(600_000);
    expect(s3.puts.length).toBe(before);
    online = true;
    s3.setFault(() => undefined);
    for (const l of listeners) l(true);
    await clock.advance(1000);
    await done;
    expect(s3.objects.get('uploads/data.bin')).toEqual(data);
  });

  it('continues from a resume point without re-sending finished parts', async () => {
    const first = setup(10 * PART);
    const created = await first.s3.signer.createMultipartUpload({
      name: 'data.bin',
      size: 10 * PART,
      type: '',
      partSize: PART,
      partCount: 10,
    });
    // Parts 1-6 were stored by an earlier run.
    for (let n = 1; n <= 6; n += 1) {
      const signed = await first.s3.signer.signParts({
        ...created,
        parts: [{ partNumber: n, contentLength: PART }],
      });
      await first.s3.transport({
        url: signed.parts[0]?.url ?? '',
        method: 'PUT',
        headers: {},
        body: first.file.slice((n - 1) * PART, n * PART),
        signal: new AbortController().signal,
      });
    }
    first.s3.puts.length = 0;
    const upload = createUpload(first.file, {
      ...first.options,
      resume: {
        ...created,
        partSize: PART,
        completedParts: [1, 2, 3, 4, 5, 6].map((partNumber) => ({
          partNumber,
          etag: `"etag-${partNumber}"`,
        })),
      },
    });
    const done = upload.start();
    expect(upload.getState().bytesUploaded).toBe(6 * PART);
    await first.clock.advance(1000);
    await done;
    expect(first.s3.puts.map((p) => p.partNumber).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([7, 8, 9, 10]);
    expect(first.s3.objects.get('uploads/data.bin')).toEqual(first.data);
  });

  it('retry() after the multipart upload vanished starts over with a new one, cut by the current options', async () => {
    const { clock, s3, data, file, options } = setup(10 * PART);
    const gone = await s3.signer.createMultipartUpload({
      name: 'data.bin',
      size: 10 * PART,
      type: '',
      partSize: 2 * PART,
      partCount: 5,
    });
    await s3.signer.abortMultipartUpload(gone);
    const upload = createUpload(file, {
      ...options,
      resume: { ...gone, partSize: 2 * PART, completedParts: [{ partNumber: 1, etag: '"etag-1"' }] },
    });
    const failed = settle(upload.start());
    await clock.advance(1000);
    const { error } = await failed;
    expect(error?.code).toBe('UPLOAD_NOT_FOUND');
    expect(error?.message).toMatch(/Retry/);
    const done = upload.retry();
    expect(upload.getState().bytesUploaded).toBe(0);
    await clock.advance(1000);
    const result = await done;
    expect(result.uploadId).not.toBe(gone.uploadId);
    expect(result.partCount).toBe(10);
    expect(s3.objects.get('uploads/data.bin')).toEqual(data);
  });
});

describe('Upload (single PUT)', () => {
  it('sends files under the threshold as one presigned PUT', async () => {
    const { clock, s3, data, upload } = setup(3000, { singlePutThreshold: 8 * 1024 * 1024 });
    const done = upload.start();
    await clock.advance(100);
    const result = await done;
    expect(result).toMatchObject({ key: 'single/data.bin', uploadId: null, size: 3000, etag: '"single"' });
    expect(s3.calls).toEqual(['single']);
    expect(s3.objects.get('single/data.bin')).toEqual(data);
  });

  it('stores a 0-byte file as an empty object', async () => {
    const { clock, s3, upload } = setup(0, { singlePutThreshold: 0 });
    const done = upload.start();
    await clock.advance(100);
    const result = await done;
    expect(result.size).toBe(0);
    expect(s3.objects.get('single/data.bin')).toEqual(new Uint8Array(0));
    expect(upload.getState().percent).toBe(100);
  });

  it('counts single PUTs against the page-wide pool', async () => {
    const clock = new FakeClock();
    const s3 = createFakeS3({ now: () => clock.now() });
    let inFlight = 0;
    let peak = 0;
    const transport: Transport = async (request) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 10));
      try {
        return await s3.transport(request);
      } finally {
        inFlight -= 1;
      }
    };
    const pool = new ConcurrencyPool(2);
    const uploads = [1, 2, 3, 4, 5].map((n) =>
      createUpload(new File([randomBytes(100, n)], `s${n}.bin`), {
        signer: s3.signer,
        transport,
        clock,
        pool,
        integrity: false,
      }),
    );
    const results = uploads.map((u) => u.start());
    await clock.advance(1000);
    await Promise.all(results);
    expect(peak).toBe(2);
    expect(pool.inUse).toBe(0);
  });

  /** A single-PUT upload whose transport records the bodies it is given. */
  function recordingBodies(signer?: (s3: Fake['s3']) => UploadOptions['signer']) {
    const bodies: Blob[] = [];
    const kit = setup(3000, ({ s3 }) => ({
      singlePutThreshold: 8 * 1024 * 1024,
      ...(signer ? { signer: signer(s3) } : {}),
      transport: (request) => {
        bodies.push(request.body);
        return s3.transport(request);
      },
    }));
    const run = async () => {
      const done = kit.upload.start();
      await kit.clock.advance(100);
      await done;
    };
    return { ...kit, bodies, run };
  }

  it('sends a whole file as the File itself (a slice costs the browser a blob registration)', async () => {
    const typed = { 'Content-Type': 'application/octet-stream' };
    const { bodies, file, run } = recordingBodies((s3) => ({
      ...s3.signer,
      signSinglePut: async (input, ctx) => ({
        ...(await s3.signer.signSinglePut(input, ctx)),
        headers: typed,
      }),
    }));
    await run();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toBe(file);
  });

  it("slices a whole typed file when no signed Content-Type would override the File's own", async () => {
    const { bodies, s3, data, file, run } = recordingBodies();
    await run();
    expect(bodies[0]).not.toBe(file);
    expect(bodies[0]?.type).toBe('');
    expect(s3.objects.get('single/data.bin')).toEqual(data);
  });

  it('hashes a whole file as the File itself', async () => {
    const hashed: Blob[] = [];
    const { clock, file, upload } = setup(3000, {
      singlePutThreshold: 8 * 1024 * 1024,
      integrity: 'parts',
      hasher: async (blob) => {
        hashed.push(blob);
        return 'AAAAAAAAAAAAAAAAAAAAAA==';
      },
    });
    const done = upload.start();
    await clock.advance(100);
    await done;
    expect(hashed).toHaveLength(1);
    expect(hashed[0]).toBe(file);
  });

  it('retries a single PUT after a network error', async () => {
    const { clock, s3, data, upload } = setup(3000, { singlePutThreshold: 8 * 1024 * 1024 });
    let failed = false;
    s3.setFault(() => {
      if (failed) return undefined;
      failed = true;
      return 'network';
    });
    const done = upload.start();
    await clock.advance(5000);
    await done;
    expect(s3.calls).toEqual(['single', 'single']);
    expect(s3.objects.get('single/data.bin')).toEqual(data);
  });
});
