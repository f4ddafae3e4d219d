import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock';
import { createFakeS3, randomBytes } from '../../test/support/fake-s3';
import { ConcurrencyPool } from './concurrency-pool';
import type { Signer, Transport } from './types';
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
  const byHost = new Map<string, number>();
  let peakPerHost = 0;
  const transport: Transport = async (request) => {
    const host = new URL(request.url).host;
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    byHost.set(host, (byHost.get(host) ?? 0) + 1);
    peakPerHost = Math.max(peakPerHost, byHost.get(host) ?? 0);
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
      byHost.set(host, (byHost.get(host) ?? 0) - 1);
    }
  };
  return { transport, peak: () => peak, peakPerHost: () => peakPerHost, hosts: () => [...byHost.keys()] };
}

/** A signer that signs part N for host `s3-<(N - 1) % hosts>` (the fake S3 ignores the host). */
function spreadOverHosts(signer: Signer, hosts: number): Signer {
  return {
    ...signer,
    signParts: async (input, ctx) => {
      const out = await signer.signParts(input, ctx);
      return {
        ...out,
        parts: out.parts.map((p) => ({
          ...p,
          url: p.url.replace('fake://s3/', `fake://s3-${(p.partNumber - 1) % hosts}/`),
        })),
      };
    },
  };
}

/** Uploads PARTS parts over the paced link; returns the fake time it took and the peak in flight. */
async function timedUpload(
  concurrency: UploadOptions['concurrency'],
  perConnection: boolean,
  pool = new ConcurrencyPool(Number.POSITIVE_INFINITY),
  hosts = 1,
) {
  const clock = new FakeClock();
  const s3 = createFakeS3({ now: () => clock.now() });
  const link = pacedLink(clock, s3.transport, 8, perConnection);
  const data = randomBytes(PARTS * PART);
  const upload = createUpload(new File([data], 'big.bin'), {
    signer: spreadOverHosts(s3.signer, hosts),
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
  return { ms: finished - started, peak: link.peak(), peakPerHost: link.peakPerHost(), hosts: link.hosts() };
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

  it('keeps 6 parts in flight per host when the signer spreads parts over hosts, beating fixed 6', async () => {
    const twoHosts = await timedUpload('auto', true, undefined, 2);
    const threeHosts = await timedUpload('auto', true, undefined, 3);
    const fixed6 = await timedUpload(6, true, undefined, 2);
    expect(twoHosts.hosts).toHaveLength(2);
    expect(twoHosts.peak).toBe(12);
    expect(twoHosts.peakPerHost).toBe(6);
    expect(threeHosts.peak).toBe(18);
    expect(threeHosts.peakPerHost).toBe(6);
    expect(fixed6.peak).toBe(6);
    expect(twoHosts.ms).toBeLessThan(fixed6.ms * 0.6);
    expect(threeHosts.ms).toBeLessThan(twoHosts.ms);
  }, 30_000);

  it('stays within the total cap of its pool whatever the hosts', async () => {
    const capped = await timedUpload('auto', true, new ConcurrencyPool(8), 2);
    expect(capped.peak).toBe(8);
    expect(capped.peakPerHost).toBeLessThanOrEqual(6);
  }, 30_000);

  it('never puts more than 6 parts on one host, even with a higher fixed concurrency', async () => {
    const oneHost = await timedUpload(10, true);
    expect(oneHost.peak).toBe(6);
  }, 30_000);

  it('signs a part again when its URL aged while it waited for a slot', async () => {
    const clock = new FakeClock();
    const s3 = createFakeS3({ now: () => clock.now(), urlLifetimeMs: 120_000 });
    const link = pacedLink(clock, s3.transport, 8, true);
    const pool = new ConcurrencyPool(1);
    const options = {
      signer: s3.signer,
      transport: link.transport,
      clock,
      limits: { ...limits, minPartSize: 1024 },
      singlePutThreshold: 0,
      integrity: false as const,
      pool,
    };
    // A holds the only slot ~92 s; B's first part is signed at once and waits for it, and then
    // takes 40 s to send: its first URL would expire (120 s) before S3 saw the whole request.
    const a = createUpload(new File([randomBytes(720 * 1024)], 'a.bin'), {
      ...options,
      partSize: 720 * 1024,
    });
    const b = createUpload(new File([randomBytes(320 * 1024)], 'b.bin'), {
      ...options,
      partSize: 320 * 1024,
    });
    const retries: string[] = [];
    b.subscribe((_state, event) => {
      if (event.type === 'retry') retries.push(event.cause);
    });
    let settled = 0;
    const done = Promise.all([a.start(), b.start()]).finally(() => {
      settled = clock.now();
    });
    while (!settled) await clock.advance(1_000);
    await done;
    expect(settled).toBeGreaterThan(130_000);
    expect(retries).toEqual([]);
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
