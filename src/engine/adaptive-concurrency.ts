/** Tuning of the upward probe (the defaults suit parts of megabytes over real links). */
export interface ProbeTuning {
  /** Length of one throughput measurement, with every slot busy (default 2 s). */
  windowMs: number;
  /** Time given to a change before measuring it: a new connection's TCP slow start (default 1 s). */
  settleMs: number;
  /** A probe is kept only if throughput rose by at least this fraction (default 0.1). */
  minGain: number;
  /** Wait after a rejected probe; doubled after each one, up to 16× (default 15 s). */
  holdMs: number;
}

export const DEFAULT_PROBE: ProbeTuning = { windowMs: 2_000, settleMs: 1_000, minGain: 0.1, holdMs: 15_000 };

interface Window {
  t: number;
  bytes: number;
}

/**
 * How many parts one upload keeps in flight. Pure: time and bytes come in as arguments.
 *
 * - Throttling (429 / 503 SlowDown) halves it; a run of successes grows it back by one (AIMD).
 * - With `probe` on ('auto' concurrency) it also climbs: once a level has kept every slot busy
 *   for a measurement window, it tries one more part in flight and keeps it only if throughput
 *   rose by `minGain`. Per-connection limits (TCP windows on long, fat links, per-flow shaping)
 *   make more connections faster; on a CPU- or link-bound path they don't, and it steps back.
 */
export class AdaptiveConcurrency {
  private current: number;
  /** Highest level shown to pay off (or configured); AIMD regrows up to it. */
  private established: number;
  private successes = 0;
  private epochValue = 0;
  /** Rate at `established`, bytes per ms; undefined until measured. */
  private baseline: number | undefined;
  private probing = false;
  private changedAt: number | undefined;
  private window: Window | undefined;
  private holdUntil = 0;
  private rejections = 0;
  private readonly tuning: ProbeTuning;

  constructor(
    initial: number,
    private readonly max: () => number,
    private readonly probe: boolean,
    tuning: Partial<ProbeTuning> = {},
  ) {
    this.current = initial;
    this.established = initial;
    this.tuning = { ...DEFAULT_PROBE, ...tuning };
  }

  get value(): number {
    return this.current;
  }

  /** Bumped on every throttle; requests started before it say nothing about the new limit. */
  get epoch(): number {
    return this.epochValue;
  }

  throttled(now: number): void {
    // A probe that met throttling failed: `established` stays the level below it.
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.successes = 0;
    this.epochValue += 1;
    this.probing = false;
    this.baseline = undefined;
    this.restartWindow(now);
    this.holdUntil = Math.max(this.holdUntil, now + this.tuning.holdMs);
  }

  /** A request started at `startedEpoch` succeeded. */
  succeeded(startedEpoch: number): void {
    if (this.probing || this.current >= this.established || startedEpoch !== this.epochValue) return;
    this.successes += 1;
    if (this.successes >= this.current) {
      this.current += 1;
      this.successes = 0;
    }
  }

  /**
   * Feeds the probe: total bytes sent so far (monotonic) and parts in flight at `now`.
   * Returns true when the level went up (the caller should start another part).
   */
  observe(now: number, bytesSent: number, inFlight: number): boolean {
    if (!this.probe) return false;
    if (this.changedAt === undefined) this.changedAt = now;
    // Fewer in flight than allowed (signing, the file's tail, a shared pool): the level is not
    // what limits throughput, so this stretch says nothing about it.
    if (inFlight < this.current || now - this.changedAt < this.tuning.settleMs) {
      this.window = undefined;
      return false;
    }
    if (!this.window) {
      this.window = { t: now, bytes: bytesSent };
      return false;
    }
    const span = now - this.window.t;
    if (span < this.tuning.windowMs) return false;
    const rate = (bytesSent - this.window.bytes) / span;
    this.window = undefined;
    return this.probing ? this.judgeProbe(now, rate) : this.maybeProbe(now, rate);
  }

  private maybeProbe(now: number, rate: number): boolean {
    // Not regrown after throttling yet: AIMD is still climbing.
    if (this.current < this.established) return false;
    this.baseline = rate;
    if (now < this.holdUntil || this.current >= this.max()) return false;
    this.probing = true;
    this.current += 1;
    this.restartWindow(now);
    return true;
  }

  private judgeProbe(now: number, rate: number): boolean {
    this.probing = false;
    const baseline = this.baseline ?? 0;
    if (rate >= baseline * (1 + this.tuning.minGain)) {
      this.established = this.current;
      this.rejections = 0;
      return this.maybeProbe(now, rate);
    }
    this.current = this.established;
    this.holdUntil = now + this.tuning.holdMs * 2 ** Math.min(4, this.rejections);
    this.rejections += 1;
    this.restartWindow(now);
    return false;
  }

  private restartWindow(now: number): void {
    this.window = undefined;
    this.changedAt = now;
  }
}
