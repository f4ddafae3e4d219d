import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF, RetryBudget } from './backoff';
import { classifyPutResponse, type PutOutcome, type RetryCause } from './classify';
import { systemClock } from './clock';
import { type ConcurrencyPool, sharedPool } from './concurrency-pool';
import { isUploadError, UploadError } from './errors';
import { checkEtag, expectedEtag } from './hashing/expected-etag';
import type { PartHasher } from './hashing/types';
import { sharedHasher } from './hashing/worker-hasher';
import { MiB, type PartLimits, S3_LIMITS } from './limits';
import { alwaysOnline } from './network-status';
import { PartSigner } from './part-signer';
import { type PartEntry, PartTracker } from './part-tracker';
import { planParts } from './plan-parts';
import { AdaptiveLimit, RETRY_COST, retriesImmediately } from './retry-policy';
import { SpeedMeter } from './speed-meter';
import type {
  Clock,
  NetworkStatus,
  PresignedRequest,
  Random,
  Signer,
  Transport,
  UploadedPart,
  UploadRef,
} from './types';
import { TransportFailure } from './types';
import {
  initialState,
  type UploadEvent,
  type UploadListener,
  type UploadResult,
  type UploadState,
  type UploadStatus,
} from './upload-state';

/** The file to upload: a Blob (a browser File, or `openFileAsBlob` in Node). */
export type UploadFile = Blob & { name?: string; lastModified?: number };

/** Where a previous run stopped, to continue a multipart upload instead of starting over. */
export interface ResumePoint extends UploadRef {
  partSize: number;
  completedParts: UploadedPart[];
}

export interface UploadOptions {
  signer: Signer;
  transport: Transport;
  /** Object name hint for the signer; defaults to the file's name. */
  name?: string;
  /** Content type; defaults to the file's type or application/octet-stream. */
  contentType?: string;
  /** Content fingerprint passed to the signer (used to find uploads to resume). */
  fingerprint?: string;
  /** Preferred part size in bytes (default 8 MiB); grown automatically for very large files. */
  partSize?: number;
  /** Part limits of the store (default: S3's). */
  limits?: Partial<PartLimits>;
  /** Files up to this size go as one presigned PUT (default 8 MiB). */
  singlePutThreshold?: number;
  /**
   * Parts in flight for this upload. 'auto' (default): as many as the page-wide pool allows, 6
   * per host of the part URLs (a browser's connections per host; a signer that spreads parts
   * over several hostnames of the bucket gets 6 per hostname): on a long, fat link each
   * connection is window-limited and only more of them fill it, while on loopback and on slow
   * links 6 costs nothing over 4 (measured: bench/). A number sets it. Either way 429 / 503
   * SlowDown halves it and successes grow it back.
   */
  concurrency?: number | 'auto';
  /** Page-wide caps shared by all uploads (default: the shared pool, 6 per host). */
  pool?: ConcurrencyPool;
  /** Abort and retry a request that made no upload progress for this long (default 30 s). */
  stallTimeoutMs?: number;
  /**
   * End-to-end integrity (default true): each part's MD5 is computed off the main thread, bound
   * into its presigned URL as Content-MD5 (S3 rejects a corrupted body, and the part is sent
   * again), and the final ETag is checked against the MD5s. 'parts': skip the final ETag check
   * (e.g. SSE-KMS buckets, whose ETags are not MD5s). false: no hashing at all.
   */
  integrity?: boolean | 'parts';
  /** MD5 implementation (default: Web Workers in browsers, in-process elsewhere). */
  hasher?: PartHasher;
  /** Give up on a part after this many attempts (default 10). */
  maxPartAttempts?: number;
  /** Upload-wide retry budget in tokens (default 100; a network retry costs 5, a success refunds 1). */
  retryBudget?: number;
  backoff?: Partial<BackoffOptions>;
  /** Parts signed per signer call (default 2 × concurrency, at most 100). */
  signBatchSize?: number;
  /** Re-sign a URL this close to its expiry before using it (default 60 s). */
  urlRefreshMarginMs?: number;
  /** Minimum interval between progress notifications (default 100 ms; 0 = every event). */
  progressIntervalMs?: number;
  /** Continue an earlier multipart upload. */
  resume?: ResumePoint;
  clock?: Clock;
  random?: Random;
  network?: NetworkStatus;
}

type AbortReason = 'pause' | 'offline' | 'cancel' | 'fail' | 'stall';

interface Deferred {
  promise: Promise<UploadResult>;
  resolve(result: UploadResult): void;
  reject(error: UploadError): void;
}

function deferred(): Deferred {
  let resolve!: (r: UploadResult) => void;
  let reject!: (e: UploadError) => void;
  const promise = new Promise<UploadResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The promise is also observable through subscribe(): don't report it as unhandled.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

const ACTIVE: readonly UploadStatus[] = ['preparing', 'uploading', 'completing'];

/**
 * One file's upload. The scheduling decisions are pure helpers (planParts, PartTracker,
 * classifyPutResponse, backoffDelay, AdaptiveLimit); this class wires them to the injected
 * signer, transport, clock and network status.
 */
export class Upload {
  private readonly signer: Signer;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly network: NetworkStatus;
  private readonly pool: ConcurrencyPool;
  private readonly limits: PartLimits;
  private readonly backoff: BackoffOptions;
  private readonly listeners = new Set<UploadListener>();
  private readonly speed = new SpeedMeter();
  private readonly inFlight = new Map<PartEntry, (reason: AbortReason) => void>();
  private readonly hasher: PartHasher | null;
  /** Base64 MD5 per part number, computed once per part and kept for the final ETag check. */
  private readonly md5s = new Map<number, Promise<string>>();
  /** Part numbers whose MD5 has been computed (md5s holds the value). */
  private readonly md5Known = new Set<number>();
  private state: UploadState;
  private status: UploadStatus = 'idle';
  private ref: UploadRef | null;
  /** Where to continue from; dropped when the multipart upload turns out to be gone. */
  private resumePoint: ResumePoint | undefined;
  private tracker: PartTracker | null = null;
  private partSigner: PartSigner | null = null;
  private budget: RetryBudget;
  private concurrency: AdaptiveLimit;
  private readonly initialConcurrency: number;
  /** concurrency: 'auto': the limit follows the pool and the hosts of the part URLs. */
  private readonly autoConcurrency: boolean;
  /** Hosts of the part URLs seen so far ('auto' allows pool.perHost parts per host). */
  private readonly hosts = new Set<string>();
  private running = 0;
  private retries = 0;
  /** signer clock − local clock for single PUT URLs (multipart URLs use the PartSigner's). */
  private singleClockOffset = 0;
  /** Bumped whenever a run stops; async work from an older run is ignored. */
  private generation = 0;
  private runAbort = new AbortController();
  private settled: Deferred = deferred();
  private retryTimer: unknown = null;
  private progressTimer: unknown = null;
  private lastProgressEmit = -Infinity;
  private unsubscribeNetwork: (() => void) | null = null;

  constructor(
    readonly file: UploadFile,
    private readonly options: UploadOptions,
  ) {
    this.signer = options.signer;
    this.transport = options.transport;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.network = options.network ?? alwaysOnline;
    this.pool = options.pool ?? sharedPool;
    this.limits = { ...S3_LIMITS, ...options.limits };
    this.hasher = options.integrity === false ? null : (options.hasher ?? sharedHasher());
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.budget = new RetryBudget(options.retryBudget ?? 100);
    const concurrency = options.concurrency ?? 'auto';
    const auto = concurrency === 'auto';
    if (!auto && (!Number.isInteger(concurrency) || concurrency < 1)) {
      throw new UploadError(
        'INVALID_OPTIONS',
        `concurrency must be 'auto' or an integer >= 1, got ${JSON.stringify(concurrency)}.`,
      );
    }
    this.autoConcurrency = auto;
    this.initialConcurrency = auto ? Math.min(this.pool.capacity, this.pool.perHost) : concurrency;
    this.concurrency = new AdaptiveLimit(this.initialConcurrency);
    this.resumePoint = options.resume;
    this.ref = options.resume ? { key: options.resume.key, uploadId: options.resume.uploadId } : null;
    this.state = initialState(file.size);
  }

  getState(): UploadState {
    return this.state;
  }

  /** Calls `listener` after every change; returns an unsubscribe function. */
  subscribe(listener: UploadListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Completed parts with their ETags (what a store persists to resume). */
  completedParts(): UploadedPart[] {
    return this.tracker?.completedParts() ?? [];
  }

  /** Starts the upload. Settles when it completes (resolve), fails or is cancelled (reject with UploadError). */
  start(): Promise<UploadResult> {
    if (this.status !== 'idle') return this.settled.promise;
    this.unsubscribeNetwork = this.network.subscribe((online) =>
      online ? this.onOnline() : this.onOffline(),
    );
    this.beginRun();
    return this.settled.promise;
  }

  pause(): void {
    if (ACTIVE.includes(this.status) || this.status === 'offline') this.stopRun('paused', 'pause');
  }

  resume(): void {
    if (this.status === 'paused') this.beginRun();
  }

  /**
   * After an error: continue from the parts already stored. If the multipart upload itself is
   * gone (aborted, or expired by a lifecycle rule), its parts are too: start over with a new one.
   */
  retry(): Promise<UploadResult> {
    if (this.status !== 'error') return this.settled.promise;
    if (this.state.error?.code === 'UPLOAD_NOT_FOUND') this.startOver();
    this.settled = deferred();
    this.budget = new RetryBudget(this.options.retryBudget ?? 100);
    this.beginRun();
    return this.settled.promise;
  }

  private startOver(): void {
    this.ref = null;
    this.resumePoint = undefined;
    this.tracker = null;
    this.partSigner = null;
    // The new plan's parts may be cut differently: MD5s are per part number.
    this.md5s.clear();
    this.md5Known.clear();
    this.state = { ...initialState(this.file.size), retries: this.retries };
  }

  /** Stops sending and aborts the multipart upload on S3 so no parts are left behind. */
  async cancel(): Promise<void> {
    if (this.status === 'completed' || this.status === 'cancelled' || this.status === 'cancelling') return;
    this.stopRun('cancelling', 'cancel');
    const ref = this.ref;
    if (ref) {
      const abort = new AbortController();
      try {
        // A few quick attempts only: the user asked to stop, and should not wait on a signer
        // that cannot abort (S3 lifecycle rules clean up what is left).
        await this.withRetries(
          () => this.signer.abortMultipartUpload(ref, { signal: abort.signal }),
          abort.signal,
          3,
        );
      } catch (error) {
        // Already gone is what we wanted; anything else is reported but the upload stays cancelled.
        if (!(isUploadError(error) && error.code === 'UPLOAD_NOT_FOUND'))
          this.state = { ...this.state, error: toUploadError(error) };
      }
    }
    this.finish('cancelled');
    this.settled.reject(new UploadError('CANCELLED', 'The upload was cancelled.'));
  }

  // ---- runs ---------------------------------------------------------------------------------

  private beginRun(): void {
    this.generation += 1;
    this.runAbort = new AbortController();
    this.state = { ...this.state, error: null };
    if (!this.network.isOnline()) {
      this.setStatus('offline');
      return;
    }
    if (this.tracker && this.ref) {
      this.setStatus('uploading');
      this.pump();
      return;
    }
    this.setStatus('preparing');
    void this.prepare(this.generation);
  }

  private stopRun(status: UploadStatus, reason: AbortReason): void {
    this.generation += 1;
    this.runAbort.abort();
    for (const abort of [...this.inFlight.values()]) abort(reason);
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setStatus(status);
  }

  private finish(status: 'completed' | 'cancelled'): void {
    this.unsubscribeNetwork?.();
    this.unsubscribeNetwork = null;
    if (this.progressTimer !== null) this.clock.clearTimeout(this.progressTimer);
    this.setStatus(status);
  }

  private fail(error: UploadError): void {
    this.state = { ...this.state, error };
    this.stopRun('error', 'fail');
    this.settled.reject(error);
  }

  private onOffline(): void {
    if (ACTIVE.includes(this.status)) this.stopRun('offline', 'offline');
  }

  private onOnline(): void {
    if (this.status === 'offline') this.beginRun();
  }

  // ---- preparation ----------------------------------------------------------------------------

  private async prepare(generation: number): Promise<void> {
    try {
      const size = this.file.size;
      const threshold = Math.max(this.options.singlePutThreshold ?? 8 * MiB, 0);
      if (!this.ref && (size <= threshold || size < this.limits.minPartSize)) {
        await this.uploadSingle(generation);
        return;
      }
      const plan = this.ref
        ? planParts(size, this.resumePoint?.partSize ?? this.options.partSize, {
            ...this.limits,
            minPartSize: Math.min(this.limits.minPartSize, this.resumePoint?.partSize ?? Infinity),
          })
        : planParts(size, this.options.partSize ?? 8 * MiB, this.limits);
      const signal = this.runAbort.signal;
      const tracker = new PartTracker(plan, this.resumePoint?.completedParts ?? []);
      // The first parts' MD5s are needed before anything can be sent: compute them while the
      // create call is out.
      this.hashAhead(tracker);
      if (!this.ref) {
        const created = await this.withRetries(
          () =>
            this.signer.createMultipartUpload(
              { ...this.describeFile(), partSize: plan.partSize, partCount: plan.partCount },
              { signal },
            ),
          signal,
        );
        if (this.status === 'cancelling' || this.status === 'cancelled') {
          // Cancelled while the create call was out: don't leave this upload behind on S3.
          await this.signer.abortMultipartUpload(created).catch(() => {});
          return;
        }
        // Even when paused meanwhile, keep the id so that resume continues this upload.
        this.ref = created;
        this.emit({ type: 'created', key: created.key, uploadId: created.uploadId, partSize: plan.partSize });
      }
      if (generation !== this.generation) return;
      this.tracker = tracker;
      this.partSigner = new PartSigner(this.signer, this.ref, this.clock, {
        batchSize: this.signBatchSize(),
        refreshMarginMs: this.options.urlRefreshMarginMs ?? 60_000,
        ...(this.hasher
          ? {
              contentMd5: (part: PartEntry) => this.md5Of(part),
              md5Ready: (part: PartEntry) => this.md5Known.has(part.partNumber),
            }
          : {}),
      });
      this.state = {
        ...this.state,
        key: this.ref.key,
        uploadId: this.ref.uploadId,
        partSize: plan.partSize,
        partsTotal: plan.partCount,
      };
      this.setStatus('uploading');
      this.pump();
    } catch (error) {
      if (generation === this.generation) this.fail(toUploadError(error));
    }
  }

  private signBatchSize(): number {
    return Math.min(100, Math.max(1, this.options.signBatchSize ?? 2 * this.initialConcurrency));
  }

  private describeFile() {
    return {
      name: this.options.name ?? this.file.name ?? 'upload',
      size: this.file.size,
      type: this.options.contentType || this.file.type || 'application/octet-stream',
      ...(this.file.lastModified === undefined ? {} : { lastModified: this.file.lastModified }),
      ...(this.options.fingerprint ? { fingerprint: this.options.fingerprint } : {}),
    };
  }

  // ---- single PUT ---------------------------------------------------------------------------

  private async uploadSingle(generation: number): Promise<void> {
    const size = this.file.size;
    const tracker = new PartTracker({ size, partSize: Math.max(size, 1), partCount: 1 });
    this.tracker = tracker;
    this.state = { ...this.state, partsTotal: 1, partSize: size };
    this.setStatus('uploading');
    const part = tracker.nextPart(this.clock.now()) as PartEntry;
    const signal = this.runAbort.signal;
    for (;;) {
      const signed = await this.withRetries(async () => {
        const contentMd5 = this.hasher ? await this.md5Of(part) : undefined;
        return this.signer.signSinglePut(
          { ...this.describeFile(), ...(contentMd5 ? { contentMd5 } : {}) },
          { signal },
        );
      }, signal);
      if (generation !== this.generation) return;
      const host = hostOf(signed.url);
      await this.waitForSlot(host, signal);
      let outcome: Awaited<ReturnType<Upload['send']>>;
      try {
        outcome = await this.send(part, signed);
      } finally {
        this.pool.release(host);
      }
      if (generation !== this.generation) return;
      if (
        outcome.kind === 'success' ||
        (outcome.kind === 'fail' && outcome.error.code === 'ETAG_NOT_EXPOSED')
      ) {
        // A single PUT succeeded even if CORS hides its ETag; report it without one.
        const etag = outcome.kind === 'success' ? outcome.etag : '';
        tracker.complete(part, etag);
        this.state = { ...this.state, key: signed.key };
        const result = { key: signed.key, etag, size, uploadId: null, partCount: 1 };
        this.succeed({ ...result, integrity: await this.verify(result, [part]) });
        return;
      }
      if (outcome.kind === 'fail') throw outcome.error;
      if (outcome.kind === 'aborted') return;
      const delay = this.retryDelay(part, outcome);
      tracker.requeue(part);
      tracker.nextPart(Number.POSITIVE_INFINITY);
      await sleep(this.clock, delay, signal);
    }
  }

  /** Waits for a page-wide slot to `host` (single PUTs count against the caps like parts do). */
  private waitForSlot(host: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const stop = () => {
        this.pool.forget(attempt);
        reject(new UploadError('CANCELLED', 'Stopped.'));
      };
      const attempt = () => {
        if (signal.aborted) return;
        if (this.pool.tryAcquire(host, attempt)) {
          signal.removeEventListener('abort', stop);
          resolve();
        }
      };
      if (signal.aborted) {
        reject(new UploadError('CANCELLED', 'Stopped.'));
        return;
      }
      signal.addEventListener('abort', stop, { once: true });
      attempt();
    });
  }

  // ---- multipart scheduling -------------------------------------------------------------------

  /** Starts as many parts as the upload's concurrency allows (each then waits for a pool slot). */
  private pump(): void {
    const tracker = this.tracker;
    if (this.status !== 'uploading' || !tracker || !this.partSigner) return;
    if (tracker.allDone) {
      if (this.running === 0) void this.complete(this.generation);
      return;
    }
    while (this.running < this.concurrency.value) {
      const now = this.clock.now();
      const part = tracker.nextPart(now);
      if (!part) break;
      this.running += 1;
      void this.runPart(part, this.generation);
    }
    this.hashAhead(tracker);
    this.scheduleRetryWakeup();
  }

  /**
   * Hashes the next parts in the background (the workers queue them, in order), so that a part's MD5 is
   * known before its URL is needed and sending never stalls on hashing. Failures surface when
   * the part itself is signed.
   */
  private hashAhead(tracker: PartTracker): void {
    if (!this.hasher) return;
    for (const part of tracker.upcoming(this.lookahead())) this.md5Of(part).catch(() => {});
  }

  /**
   * With concurrency 'auto', every new host among the part URLs allows pool.perHost more parts
   * in flight. Returns whether the limit rose.
   */
  private noteHost(host: string): boolean {
    if (!this.autoConcurrency || this.hosts.has(host)) return false;
    this.hosts.add(host);
    const before = this.concurrency.value;
    this.concurrency.setMax(Math.min(this.pool.capacity, this.pool.perHost * this.hosts.size));
    return this.concurrency.value > before;
  }

  /** How many parts past those in flight are hashed and signed ahead. */
  private lookahead(): number {
    return this.signBatchSize() + this.concurrency.value;
  }

  private scheduleRetryWakeup(): void {
    const at = this.tracker?.nextRetryAt();
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    // A part already due waits for a free slot, and a freed slot pumps again: no timer needed.
    if (at === undefined || at <= this.clock.now() || this.running >= this.concurrency.value) return;
    this.retryTimer = this.clock.setTimeout(
      () => {
        this.retryTimer = null;
        this.pump();
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  private async runPart(part: PartEntry, generation: number): Promise<void> {
    const tracker = this.tracker as PartTracker;
    const partSigner = this.partSigner as PartSigner;
    const signal = this.runAbort.signal;
    let epoch = this.concurrency.epoch;
    let slot: string | null = null;
    try {
      const window = tracker.upcoming(this.signBatchSize());
      const urlFor = () => this.withRetries(() => partSigner.urlFor(part, window, { signal }), signal);
      let signed = await urlFor();
      if (generation !== this.generation) {
        tracker.requeue(part);
        return;
      }
      const host = hostOf(signed.url);
      if (this.noteHost(host)) this.pump();
      partSigner.prefetch(tracker.upcoming(this.lookahead()), this.concurrency.value, { signal });
      await this.waitForSlot(host, signal);
      slot = host;
      // A URL that aged past its refresh margin while the part waited is signed again (the
      // signer keeps a part's host, so the slot still fits).
      if (this.urlExpired(signed)) signed = await urlFor();
      epoch = this.concurrency.epoch;
      const outcome = await this.send(part, signed);
      if (generation !== this.generation || outcome.kind === 'aborted') {
        tracker.requeue(part);
        return;
      }
      if (outcome.kind === 'success') {
        tracker.complete(part, outcome.etag);
        partSigner.forget(part.partNumber);
        this.budget.refund();
        this.concurrency.succeeded(epoch);
        this.emitProgress(true);
        this.emit({
          type: 'part',
          part: { partNumber: part.partNumber, etag: outcome.etag, size: part.end - part.start },
        });
        return;
      }
      if (outcome.kind === 'fail') {
        tracker.requeue(part);
        this.fail(outcome.error);
        return;
      }
      if (outcome.cause === 'expired') partSigner.invalidate(part.partNumber);
      if (outcome.cause === 'skewed' && outcome.s3Time !== undefined) partSigner.noteS3Time(outcome.s3Time);
      if (outcome.cause === 'throttled') this.concurrency.throttled();
      const delay = this.retryDelay(part, outcome);
      tracker.requeue(part, this.clock.now() + delay);
    } catch (error) {
      tracker.requeue(part);
      if (generation === this.generation) this.fail(toUploadError(error));
    } finally {
      this.running -= 1;
      if (slot !== null) this.pool.release(slot);
      // Pump even for an older run: a pause + resume in one tick starts the new run while
      // these aborted parts still hold their slots, and only their release can start more.
      this.pump();
    }
  }

  /**
   * Spends retry budget for a failed attempt and returns how long to wait, or throws
   * RETRIES_EXHAUSTED. A network error while the browser is offline costs nothing: the
   * offline handler pauses the upload and resumes it when the network is back.
   */
  private retryDelay(part: PartEntry, outcome: Extract<PutOutcome, { kind: 'retry' }>): number {
    const maxAttempts = this.options.maxPartAttempts ?? 10;
    const offline = outcome.cause === 'network' && !this.network.isOnline();
    if (!offline) {
      if (part.attempts >= maxAttempts || !this.budget.trySpend(RETRY_COST[outcome.cause])) {
        throw new UploadError(
          'RETRIES_EXHAUSTED',
          `Part ${part.partNumber} kept failing (${outcome.detail}) after ${part.attempts} attempts. Check the network and retry; the parts already stored are kept.`,
          { retryable: true },
        );
      }
    }
    const delay = retriesImmediately(outcome.cause)
      ? 0
      : Math.max(outcome.retryAfterMs ?? 0, backoffDelay(part.attempts - 1, this.random, this.backoff));
    this.retries += 1;
    this.state = { ...this.state, retries: this.retries };
    this.emit({
      type: 'retry',
      partNumber: part.partNumber,
      cause: outcome.cause,
      delayMs: delay,
      detail: outcome.detail,
    });
    return delay;
  }

  /** Whether a URL is at (or within `marginMs` of) its expiry, on the signer's clock. */
  private urlExpired(
    signed: PresignedRequest,
    marginMs = this.options.urlRefreshMarginMs ?? 60_000,
  ): boolean {
    const offset = this.partSigner?.clockOffset ?? this.singleClockOffset;
    return signed.expiresAt - (this.clock.now() + offset) <= marginMs;
  }

  /** One PUT of one part with the stall watchdog. */
  private async send(
    part: PartEntry,
    signed: PresignedRequest,
  ): Promise<PutOutcome | { kind: 'aborted'; reason: AbortReason }> {
    const tracker = this.tracker as PartTracker;
    const controller = new AbortController();
    let abortReason: AbortReason | null = null;
    const abort = (reason: AbortReason) => {
      abortReason ??= reason;
      controller.abort();
    };
    const stallMs = this.options.stallTimeoutMs ?? 30_000;
    let watchdog: unknown = null;
    const arm = () => {
      if (watchdog !== null) this.clock.clearTimeout(watchdog);
      watchdog = this.clock.setTimeout(() => abort('stall'), stallMs);
    };
    this.inFlight.set(part, abort);
    tracker.begin(part);
    arm();
    try {
      const response = await this.transport({
        url: signed.url,
        method: 'PUT',
        headers: { ...signed.headers },
        body: this.bodyOf(part, signed),
        signal: controller.signal,
        onProgress: (sent) => {
          if (abortReason) return;
          arm();
          tracker.progress(part, sent);
          this.emitProgress(false);
        },
      });
      if (abortReason === 'stall') return stalled(stallMs);
      if (abortReason) return { kind: 'aborted', reason: abortReason };
      return classifyPutResponse(response, this.clock.now(), this.urlExpired(signed));
    } catch (error) {
      if (abortReason === 'stall') return stalled(stallMs);
      if (abortReason) return { kind: 'aborted', reason: abortReason };
      // The file may have been changed, moved or revoked: reading it is what failed, and
      // retrying would splice two versions together. One byte tells.
      const unreadable = await this.fileUnreadable(part);
      if (unreadable) return { kind: 'fail', error: unreadable };
      // A transport "abort" we did not ask for (Safari on a dropped connection) is a network error.
      const detail =
        error instanceof TransportFailure || error instanceof Error ? error.message : String(error);
      // Ceph RGW sends its 403 for an expired URL without CORS headers, so a browser sees only a
      // network error: if the URL has expired, treat it as expiry (sign again, no backoff).
      if (this.urlExpired(signed, 0)) return { kind: 'retry', cause: 'expired', detail };
      return { kind: 'retry', cause: 'network', detail };
    } finally {
      if (watchdog !== null) this.clock.clearTimeout(watchdog);
      this.inFlight.delete(part);
    }
  }

  /**
   * A part that is the whole file goes as the File itself: slicing a File costs the browser a
   * blob registration (~1 ms of CPU per small file). When sending, not if the File's type would
   * add a Content-Type header that the slice did not carry.
   */
  private bodyOf(part: PartEntry, sending?: PresignedRequest): Blob {
    const whole = part.start === 0 && part.end === this.file.size;
    const addsType =
      sending !== undefined &&
      this.file.type !== '' &&
      !Object.keys(sending.headers ?? {}).some((name) => name.toLowerCase() === 'content-type');
    return whole && !addsType ? this.file : this.file.slice(part.start, part.end);
  }

  private async fileUnreadable(part: PartEntry): Promise<UploadError | null> {
    if (part.end <= part.start) return null;
    try {
      await this.file.slice(part.start, part.start + 1).arrayBuffer();
      return null;
    } catch (error) {
      return new UploadError(
        'FILE_UNREADABLE',
        `The file can no longer be read (${error instanceof Error ? error.message : String(error)}). It was probably changed, moved or deleted since the upload started; choose it again to start a new upload.`,
        { cause: error },
      );
    }
  }

  private async complete(generation: number): Promise<void> {
    const ref = this.ref as UploadRef;
    const tracker = this.tracker as PartTracker;
    this.setStatus('completing');
    const signal = this.runAbort.signal;
    try {
      const parts = tracker.completedParts().map(({ partNumber, etag }) => ({ partNumber, etag }));
      const object = await this.withRetries(
        () => this.signer.completeMultipartUpload({ ...ref, parts }, { signal }),
        signal,
      );
      if (generation !== this.generation) return;
      const result = {
        key: object.key,
        etag: object.etag,
        size: object.size ?? this.file.size,
        uploadId: ref.uploadId,
        partCount: parts.length,
      };
      const integrity = await this.verify(result, tracker.allParts());
      if (generation !== this.generation) return;
      this.succeed({ ...result, integrity });
    } catch (error) {
      if (generation === this.generation) this.fail(toUploadError(error));
    }
  }

  /** Base64 MD5 of a part (memoised: a retried part is not hashed again). */
  private md5Of(part: PartEntry): Promise<string> {
    let md5 = this.md5s.get(part.partNumber);
    if (!md5) {
      const hasher = this.hasher as PartHasher;
      const partNumber = part.partNumber;
      md5 = hasher(this.bodyOf(part)).then(
        (value) => {
          this.md5Known.add(partNumber);
          return value;
        },
        (error: unknown) => {
          this.md5s.delete(partNumber);
          throw new UploadError(
            'FILE_UNREADABLE',
            `The file could not be read to compute part ${part.partNumber}'s checksum (${error instanceof Error ? error.message : String(error)}). It was probably changed, moved or deleted; choose it again.`,
            { cause: error },
          );
        },
      );
      this.md5s.set(part.partNumber, md5);
    }
    return md5;
  }

  /** Size and ETag checks after completion; throws INTEGRITY_MISMATCH when the object differs. */
  private async verify(
    result: Omit<UploadResult, 'integrity'>,
    parts: readonly PartEntry[],
  ): Promise<UploadResult['integrity']> {
    if (result.size !== this.file.size) {
      throw new UploadError(
        'INTEGRITY_MISMATCH',
        `S3 stored ${result.size} bytes but the file has ${this.file.size}. Upload the file again.`,
      );
    }
    if (!this.hasher) return 'off';
    if (this.options.integrity === 'parts' || !result.etag) return 'parts';
    const md5s = await Promise.all(parts.map((part) => this.md5Of(part)));
    const expected = await expectedEtag(md5s, result.uploadId !== null, this.hasher);
    const check = checkEtag(result.etag, expected);
    if (check === 'mismatch') {
      throw new UploadError(
        'INTEGRITY_MISMATCH',
        `The object's ETag ${result.etag} differs from ${expected}, computed from the file. Upload the file again; if the bucket uses SSE-KMS or SSE-C (whose ETags are not MD5s), set integrity: 'parts'.`,
      );
    }
    return check;
  }

  private succeed(result: UploadResult): void {
    this.state = { ...this.state, result, key: result.key };
    this.emitProgress(true);
    this.finish('completed');
    this.settled.resolve(result);
  }

  /** Calls the signer, retrying retryable failures with backoff from the shared budget. */
  private async withRetries<T>(
    call: () => Promise<T>,
    signal: AbortSignal,
    maxAttempts = this.options.maxPartAttempts ?? 10,
  ): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (signal.aborted) throw new UploadError('CANCELLED', 'Stopped.', { cause: error });
        const failure = toUploadError(error);
        if (!failure.retryable || attempt + 1 >= maxAttempts || !this.budget.trySpend(RETRY_COST.server))
          throw failure;
        const delay = Math.max(failure.retryAfterMs ?? 0, backoffDelay(attempt, this.random, this.backoff));
        this.retries += 1;
        this.state = { ...this.state, retries: this.retries };
        this.emit({
          type: 'retry',
          partNumber: null,
          cause: failure.code,
          delayMs: delay,
          detail: failure.message,
        });
        await sleep(this.clock, delay, signal);
      }
    }
  }

  // ---- notifications ------------------------------------------------------------------------

  private setStatus(status: UploadStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.refreshNumbers();
    this.state = { ...this.state, status };
    this.emit({ type: 'status', status });
  }

  private refreshNumbers(): void {
    const tracker = this.tracker;
    if (!tracker) return;
    const now = this.clock.now();
    this.speed.record(now, tracker.bytesSent);
    const uploading = this.status === 'uploading';
    const bytesUploaded = Math.max(this.state.bytesUploaded, tracker.bytesUploaded);
    const total = this.file.size;
    this.state = {
      ...this.state,
      bytesUploaded,
      percent: total === 0 ? (tracker.allDone ? 100 : 0) : Math.min(100, (bytesUploaded / total) * 100),
      partsCompleted: tracker.completedCount,
      speed: uploading ? this.speed.bytesPerSecond(now) : 0,
      etaSeconds: uploading ? this.speed.etaSeconds(now, total - bytesUploaded) : null,
    };
  }

  /** Progress notifications are coalesced to one per `progressIntervalMs`. */
  private emitProgress(force: boolean): void {
    const interval = this.options.progressIntervalMs ?? 100;
    const now = this.clock.now();
    if (force || now - this.lastProgressEmit >= interval) {
      if (this.progressTimer !== null) this.clock.clearTimeout(this.progressTimer);
      this.progressTimer = null;
      this.lastProgressEmit = now;
      this.refreshNumbers();
      this.emit({ type: 'progress' });
    } else if (this.progressTimer === null) {
      this.progressTimer = this.clock.setTimeout(
        () => {
          this.progressTimer = null;
          this.emitProgress(true);
        },
        interval - (now - this.lastProgressEmit),
      );
    }
  }

  private emit(event: UploadEvent): void {
    for (const listener of [...this.listeners]) listener(this.state, event);
  }
}

function stalled(stallMs: number): PutOutcome {
  return {
    kind: 'retry',
    cause: 'timeout' satisfies RetryCause,
    detail: `no upload progress for ${stallMs} ms`,
  };
}

function toUploadError(error: unknown): UploadError {
  if (isUploadError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new UploadError('SIGNER_FAILED', `The signer call failed: ${message}`, {
    retryable: true,
    cause: error,
  });
}

function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new UploadError('CANCELLED', 'Stopped.'));
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(new UploadError('CANCELLED', 'Stopped.'));
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function createUpload(file: UploadFile, options: UploadOptions): Upload {
  return new Upload(file, options);
}

/** The host (with port) a URL points at: the unit of a browser's connection limit. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
