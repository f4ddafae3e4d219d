import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock';
import { createFakeS3, randomBytes } from '../../test/support/fake-s3';
import { ConcurrencyPool } from './concurrency-pool';
import type { Transport } from './types';
import type { UploadOptions } from './upload';
import { createUpload } from './upload';

const PART = 8 * 1024;
const PARTS = 60;
const limits = { minPartSize: PART, maxPartSize: 1024 * 1024, maxParts: 10_000 };
const TICK = 100;

/**
 * A link in front of the fake S3 that feeds each PUT's progress every 100 ms. `perConnection`:
 * every request gets `rate` bytes/ms of its own (a window-limited long, fat path). Otherwise
 * the requests in flight share `rate` (a link that is already full).
 */
function pacedLink(clock: FakeClock, s3: Transport, rate: number, perConnection: boolean) {
  let inFlight = 0;
  let peak = 0;
  const transport: Transport = async (request) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    try {
      const size = request.body.size;
      for (let sent = 0; sent < size; ) {
        await new Promise<void>((resolve) => clock.setTimeout(resolve, TICK));
        sent = Math.min(size, sent + (rate * TICK) / (perConnection ? 1 : inFlight));
        request.onProgress?.(sent);
      }
      return await s3(request);
    } finally {
      inFlight -= 1;
    }
  };
  return { transport, peak: () => peak };
}

/** Uploads PARTS parts over the paced link; returns the fake time it took and the peak in flight. */
async function timedUpload(
  concurrency: UploadOptions['concurrency'],
  perConnection: boolean,
  pool = new ConcurrencyPool(6),
) {
  const clock = new FakeClock();
  const s3 = createFakeS3({ now: () => clock.now() });
  const link = pacedLink(clock, s3.transport, 8, perConnection);
  const data = randomBytes(PARTS * PART);
  const upload = createUpload(new File([data], 'big.bin'), {
    signer: s3.signer,
    transport: link.transport,
    clock,
    partSize: PART,
    limits,
    singlePutThreshold: 0,
    integrity: false,
    ...(concurrency === undefined ? {} : { concurrency }),
    pool,
  });
  const started = clock.now();
  let finished = 0;
  const done = upload.start().then((result) => {
    finished = clock.now();
    return result;
  });
  while (!finished) await clock.advance(1_000);
  const result = await done;
  expect(Buffer.from(s3.objects.get(result.key) ?? []).equals(data)).toBe(true);
  return { ms: finished - started, peak: link.peak() };
}

describe("Upload with concurrency 'auto'", () => {
  it('fills the page-wide pool where each connection is rate-limited, beating every lower setting', async () => {
    const auto = await timedUpload('auto', true);
    const fixed4 = await timedUpload(4, true);
    const fixed6 = await timedUpload(6, true);
    expect(auto.peak).toBe(6);
    expect(fixed4.peak).toBe(4);
    expect(auto.ms).toBeLessThan(fixed4.ms * 0.75);
    expect(auto.ms).toBeLessThanOrEqual(fixed6.ms);
  }, 30_000);

  it('costs nothing on a link that more connections cannot speed up', async () => {
    const auto = await timedUpload('auto', false);
    const fixed4 = await timedUpload(4, false);
    expect(auto.peak).toBe(6);
    expect(auto.ms).toBeLessThanOrEqual(fixed4.ms * 1.02);
  }, 30_000);

  it('is the default, and follows the pool it is given', async () => {
    expect((await timedUpload(undefined, true)).peak).toBe(6);
    expect((await timedUpload('auto', true, new ConcurrencyPool(3))).peak).toBe(3);
  }, 30_000);

  it('rejects a concurrency that is neither a whole number nor auto, saying what to pass', () => {
    const s3 = createFakeS3({ now: () => 0 });
    for (const bad of [0, 2.5, 'fast'])
      expect(() =>
        createUpload(new File(['x'], 'x'), {
          signer: s3.signer,
          transport: s3.transport,
          concurrency: bad as never,
        }),
      ).toThrow(/concurrency must be 'auto' or an integer >= 1/);
  });
});
