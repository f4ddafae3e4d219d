import type { PartEntry } from './part-tracker';
import type { CallContext, Clock, SignedPart, Signer, UploadRef } from './types';

export interface PartSignerOptions {
  /** Sign at most this many parts per signer call. */
  batchSize: number;
  /** A URL closer than this to its expiry is signed again before use (ms). */
  refreshMarginMs: number;
  /** Base64 MD5 of a part, when integrity is on: each URL then binds it as Content-MD5. */
  contentMd5?: (part: PartEntry) => Promise<string>;
  /**
   * Whether a part's MD5 is already known. Only such parts join another part's batch, so that
   * signing the part about to be sent never waits for hashing parts sent later.
   */
  md5Ready?: (part: PartEntry) => boolean;
}

/**
 * Just-in-time signing: a part's URL is requested when the part is about to be sent, together
 * with the next few parts in one signer call, and re-requested when it is near expiry. Expiry
 * is judged on the signer's clock (its `serverTime`), so a wrong client clock does no harm.
 */
export class PartSigner {
  private readonly urls = new Map<number, SignedPart>();
  /** Lifetime of each URL as signed, so short-lived URLs get a proportionate refresh margin. */
  private readonly lifetimes = new Map<number, number>();
  private readonly pending = new Map<number, Promise<void>>();
  /** signer clock − local clock, learned from each answer. */
  private serverOffset = 0;
  /** S3 clock − local clock, learned from RequestTimeTooSkewed. */
  private s3Offset: number | undefined;
  /** Signer calls made (for tests and benchmarks). */
  calls = 0;

  constructor(
    private readonly signer: Signer,
    private readonly ref: UploadRef,
    private readonly clock: Clock,
    private readonly options: PartSignerOptions,
  ) {}

  /** A URL for `part`, signing it (with the parts in `upcoming` that need one) if none is fresh. */
  async urlFor(part: PartEntry, upcoming: readonly PartEntry[], ctx: CallContext): Promise<SignedPart> {
    for (;;) {
      const fresh = this.fresh(part.partNumber);
      if (fresh) return fresh;
      const inFlight = this.pending.get(part.partNumber);
      if (inFlight) {
        await inFlight;
        const signed = this.fresh(part.partNumber);
        if (signed) return signed;
      }
      const ready = this.options.md5Ready ?? (() => true);
      const batch = [
        part,
        ...upcoming.filter(
          (p) => p !== part && !this.fresh(p.partNumber) && !this.pending.has(p.partNumber) && ready(p),
        ),
      ];
      await this.sign(batch.slice(0, this.options.batchSize), ctx);
      const signed = this.urls.get(part.partNumber);
      if (signed) return signed;
    }
  }

  /**
   * Signs upcoming parts in the background when fewer than `want` of them hold (or await) a
   * URL, so that the next parts find theirs ready instead of waiting for a signer round trip.
   * Only parts that can be signed now (MD5 known) go; a failure just leaves each part to sign
   * its own URL when it is sent.
   */
  prefetch(upcoming: readonly PartEntry[], want: number, ctx: CallContext): void {
    const covered = upcoming.filter((p) => this.fresh(p.partNumber) || this.pending.has(p.partNumber));
    if (covered.length >= want) return;
    const ready = this.options.md5Ready ?? (() => true);
    const batch = upcoming.filter(
      (p) => !this.fresh(p.partNumber) && !this.pending.has(p.partNumber) && ready(p),
    );
    if (batch.length > 0) this.sign(batch.slice(0, this.options.batchSize), ctx).catch(() => {});
  }

  /** signer clock − local clock (ms), as learned from the last answer. */
  get clockOffset(): number {
    return this.serverOffset;
  }

  /** Drop a URL S3 refused (expired, skewed) so the next use signs again. */
  invalidate(partNumber: number): void {
    this.urls.delete(partNumber);
  }

  /** Remember S3's clock (from RequestTimeTooSkewed) and drop every cached URL signed without it. */
  noteS3Time(s3Time: number): void {
    this.s3Offset = s3Time - this.clock.now();
    this.urls.clear();
  }

  forget(partNumber: number): void {
    this.urls.delete(partNumber);
  }

  private fresh(partNumber: number): SignedPart | undefined {
    const signed = this.urls.get(partNumber);
    if (!signed) return undefined;
    const serverNow = this.clock.now() + this.serverOffset;
    // Never demand more than half a URL's lifetime, or URLs shorter than the margin would be
    // re-signed forever.
    const margin = Math.min(this.options.refreshMarginMs, (this.lifetimes.get(partNumber) ?? 0) / 2);
    return signed.expiresAt - serverNow > margin ? signed : undefined;
  }

  private sign(batch: PartEntry[], ctx: CallContext): Promise<void> {
    const request = (async () => {
      // Hashing happens inside the request so that parts waiting for this batch wait for it too
      // (with md5Ready, only the first part of a batch may still be hashing).
      const hash = this.options.contentMd5;
      const md5s = hash ? await Promise.all(batch.map((p) => hash(p))) : [];
      this.calls += 1;
      const startedAt = this.clock.now();
      const output = await this.signer.signParts(
        {
          ...this.ref,
          parts: batch.map((p, i) => ({
            partNumber: p.partNumber,
            contentLength: p.end - p.start,
            ...(md5s[i] ? { contentMd5: md5s[i] } : {}),
          })),
          ...(this.s3Offset === undefined ? {} : { s3Time: this.clock.now() + this.s3Offset }),
        },
        ctx,
      );
      if (typeof output.serverTime === 'number') {
        // Assume the signer's clock was read halfway through the round trip.
        this.serverOffset = output.serverTime - (startedAt + this.clock.now()) / 2;
      }
      const signedAt = output.serverTime ?? this.clock.now() + this.serverOffset;
      for (const signed of output.parts) {
        this.urls.set(signed.partNumber, signed);
        this.lifetimes.set(signed.partNumber, signed.expiresAt - signedAt);
      }
    })();
    const settled = request.finally(() => {
      for (const p of batch)
        if (this.pending.get(p.partNumber) === settled) this.pending.delete(p.partNumber);
    });
    for (const p of batch) this.pending.set(p.partNumber, settled);
    return settled;
  }
}
