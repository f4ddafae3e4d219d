/**
 * Upload speed over a sliding window of recent samples, and the ETA it implies.
 * Fed with a monotonic count of bytes actually sent (retransmissions included), so it
 * measures the link, not the progress bar.
 */
export class SpeedMeter {
  private readonly samples: Array<{ t: number; bytes: number }> = [];

  constructor(
    private readonly windowMs = 5_000,
    private readonly minSpanMs = 500,
  ) {}

  record(t: number, totalBytesSent: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && last.t === t) last.bytes = totalBytesSent;
    else this.samples.push({ t, bytes: totalBytesSent });
    while (this.samples.length > 2 && (this.samples[1]?.t ?? t) <= t - this.windowMs) this.samples.shift();
  }

  /** Bytes per second, or 0 until enough time has been observed. */
  bytesPerSecond(now: number): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last) return 0;
    const span = now - first.t;
    if (span < this.minSpanMs) return 0;
    return ((last.bytes - first.bytes) * 1000) / span;
  }

  /** Seconds left for `remainingBytes`, or null when the speed is not known yet. */
  etaSeconds(now: number, remainingBytes: number): number | null {
    if (remainingBytes <= 0) return 0;
    const speed = this.bytesPerSecond(now);
    return speed > 0 ? remainingBytes / speed : null;
  }

  reset(): void {
    this.samples.length = 0;
  }
}
