// One file's upload with everything around it that makes it resumable, framework-free: the
// hooks only subscribe to it. start(): fingerprint the file → take its lock (held elsewhere:
// report `lockedElsewhere` and wait to take over) → reconcile the stored record with S3
// (`prepareResume`, whose notice is shown) → create and start the Upload from the resume point →
// persist its progress (flushed when the page is hidden) → on completion or cancellation the
// record is removed, other waiters are told, and the lock released.
import { isUploadError, UploadError } from './errors';
import { type FingerprintableFile, fingerprintFile } from './fingerprint';
import { warmSharedHasher } from './hashing/worker-hasher';
import { MiB, S3_LIMITS } from './limits';
import { onPageHidden } from './page-lifecycle';
import { persistUpload, prepareResume, type UploadPersistence } from './resume';
import { notifyResumableUploadsChanged } from './resume-events';
import type { ResumeStore } from './store/types';
import { createUpload, type ResumePoint, type Upload, type UploadFile, type UploadOptions } from './upload';
import {
  announceUploadCompleted,
  browserUploadLocks,
  onUploadCompletedElsewhere,
  type UploadLock,
  type UploadLocks,
} from './upload-lock';
import { initialState, type UploadResult, type UploadState, type UploadStatus } from './upload-state';

export interface SessionResumeOptions {
  store: ResumeStore;
  /** The signer's identity (its URL or an app-chosen id): records of other signers are never used. */
  signerId: string;
  /** Lifetime of a record after its last write (default 7 days). */
  ttlMs?: number;
  /** At most one batched write of finished parts per this interval (default 1 s). */
  flushIntervalMs?: number;
  /** One upload, one tab (default: Web Locks, a localStorage lease where missing). false: no lock. */
  locks?: UploadLocks | false;
  /** Where "the page may go away" comes from (default: pagehide and visibilitychange to hidden). */
  onPageHidden?: (listener: () => void) => () => void;
  /** A record could not be written (quota, private mode); the upload carries on. */
  onStoreError?: (error: unknown) => void;
}

export interface ResumableSessionOptions {
  file: UploadFile;
  /** Options of the Upload. `fingerprint` skips fingerprinting; `resume` skips reconciling. */
  upload: UploadOptions;
  /** Omitted or null: a plain upload (no fingerprint, lock or record). */
  resume?: SessionResumeOptions | null;
  /** The file's FileSystemFileHandle, kept in the record to resume without picking the file again. */
  handle?: unknown;
}

/** The Upload's state plus what the session adds. A new object on every change. */
export interface SessionState extends UploadState {
  /** Another tab (or uploader) is uploading this file: this one waits and takes over if it goes away. */
  lockedElsewhere: boolean;
  /** Something to tell the user about the earlier upload of this file (from `prepareResume`). */
  notice: string | null;
  /** The file's fingerprint once known (the key of its record). */
  fingerprint: string | null;
  /** True when this continues an earlier multipart upload. */
  resumed: boolean;
}

const FINAL: readonly UploadStatus[] = ['completed', 'cancelled'];

interface Deferred {
  promise: Promise<UploadResult>;
  resolve(result: UploadResult): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: (r: UploadResult) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<UploadResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // also observable through subscribe(): never an unhandled rejection
  return { promise, resolve, reject };
}

function toUploadError(error: unknown): UploadError {
  if (isUploadError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new UploadError('FILE_UNREADABLE', `The file could not be read to resume it: ${message}`, {
    cause: error,
  });
}

/** `fingerprintFile` needs a name and a date; a Blob without them gets neutral ones. */
function fingerprintable(file: UploadFile): FingerprintableFile {
  if (typeof file.name === 'string' && typeof file.lastModified === 'number')
    return file as FingerprintableFile;
  return Object.assign(file.slice(0, file.size, file.type), {
    name: file.name ?? 'upload',
    lastModified: file.lastModified ?? 0,
  });
}

export class ResumableSession {
  readonly file: UploadFile;
  private readonly options: ResumableSessionOptions;
  private readonly resumeOptions: SessionResumeOptions | null;
  private current: Upload | null = null;
  /** Shown until the Upload exists: idle, preparing, paused, cancelled, error, or completed elsewhere. */
  private preStatus: UploadStatus = 'idle';
  private preError: UploadError | null = null;
  private preResult: UploadResult | null = null;
  private lockedElsewhere = false;
  private notice: string | null = null;
  private fingerprint: string | null;
  private resumed = false;
  private pauseWanted = false;
  private abort = new AbortController();
  private lock: UploadLock | null = null;
  private persistence: UploadPersistence | null = null;
  private cleanups: Array<() => void> = [];
  private settled = deferred();
  private readonly listeners = new Set<() => void>();
  private detach: (() => void) | null = null;
  private watching = false;
  private version = 0;
  private cached: { version: number; base: UploadState | null; state: SessionState } | null = null;
  private readonly notify = () => {
    this.version += 1;
    for (const listener of [...this.listeners]) listener();
  };

  constructor(options: ResumableSessionOptions) {
    this.options = options;
    this.file = options.file;
    // A file sent as one PUT has no parts to resume: no fingerprint, lock, record or signer lookup.
    const limits = { ...S3_LIMITS, ...options.upload.limits };
    const single =
      this.file.size <= (options.upload.singlePutThreshold ?? 8 * MiB) || this.file.size < limits.minPartSize;
    this.resumeOptions = single ? null : (options.resume ?? null);
    this.fingerprint = options.upload.fingerprint ?? null;
    // A plain upload is created at once, as `createUpload` would (and throws the same errors).
    if (!this.resumeOptions) this.current = createUpload(this.file, options.upload);
  }

  /** The Upload: for a resumable session, once created (after the lock and the reconciliation), null before. */
  get upload(): Upload | null {
    return this.current;
  }

  /** The current snapshot: the same object until something changes. */
  readonly getState = (): SessionState => {
    const base = this.current?.getState() ?? null;
    const cached = this.cached;
    if (cached && cached.version === this.version && cached.base === base) return cached.state;
    const state: SessionState = {
      ...(base ?? this.preState()),
      lockedElsewhere: this.lockedElsewhere,
      notice: this.notice,
      fingerprint: this.fingerprint,
      resumed: this.resumed,
    };
    this.cached = { version: this.version, base, state };
    return state;
  };

  /** Calls `listener` after every change; returns an unsubscribe function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.attach();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.release();
    };
  };

  /**
   * Starts (once). Settles like `Upload.start()`: resolves with the object, rejects with an
   * UploadError when the upload fails or is cancelled.
   */
  start(): Promise<UploadResult> {
    if (!this.resumeOptions) {
      const upload = this.current as Upload;
      if (upload.getState().status === 'idle') this.launch(upload);
      return this.settled.promise;
    }
    if (this.current || this.preStatus !== 'idle') return this.settled.promise;
    this.preStatus = 'preparing';
    this.notify();
    const { integrity, hasher } = this.options.upload;
    if (integrity !== false && !hasher) warmSharedHasher();
    void this.prepare(this.abort.signal);
    return this.settled.promise;
  }

  pause(): void {
    if (this.current) {
      this.current.pause();
    } else if (this.preStatus === 'preparing') {
      this.pauseWanted = true;
      this.preStatus = 'paused';
      this.notify();
    }
  }

  resume(): void {
    if (this.current) {
      this.current.resume();
    } else if (this.preStatus === 'paused') {
      this.pauseWanted = false;
      this.preStatus = 'preparing';
      this.notify();
    }
  }

  /**
   * Cancels: once the Upload exists, `Upload.cancel()` (aborted on S3, record removed). Before
   * that, it only stops (waiting for another tab's lock, reconciling): the stored upload, if
   * any, stays resumable.
   */
  async cancel(): Promise<void> {
    if (this.current) return this.current.cancel();
    if (FINAL.includes(this.preStatus)) return;
    this.abort.abort();
    this.releaseLock();
    this.lockedElsewhere = false;
    this.preStatus = 'cancelled';
    this.notify();
    this.settled.reject(new UploadError('CANCELLED', 'The upload was cancelled.'));
  }

  /** After an error: `Upload.retry()`, or the preparation again if it failed before the Upload existed. */
  retry(): Promise<UploadResult> {
    if (this.current) return this.current.retry();
    if (this.preStatus !== 'error') return this.settled.promise;
    this.settled = deferred();
    this.abort = new AbortController();
    this.preError = null;
    this.preStatus = 'preparing';
    this.notify();
    void this.prepare(this.abort.signal);
    return this.settled.promise;
  }

  // ---- preparation ----------------------------------------------------------------------------

  private preState(): UploadState {
    const state = { ...initialState(this.file.size), status: this.preStatus, error: this.preError };
    if (!this.preResult) return state;
    return {
      ...state,
      result: this.preResult,
      key: this.preResult.key,
      uploadId: this.preResult.uploadId,
      bytesUploaded: this.file.size,
      percent: 100,
    };
  }

  private async prepare(signal: AbortSignal): Promise<void> {
    const resume = this.resumeOptions as SessionResumeOptions;
    try {
      this.fingerprint ??= await fingerprintFile(fingerprintable(this.file));
      if (signal.aborted) return;
      this.notify();
      const fingerprint = this.fingerprint;
      const locks = resume.locks === false ? null : (resume.locks ?? browserUploadLocks);
      if (locks) {
        let lock = await locks.acquire(fingerprint, { signal });
        if (!lock.acquired) {
          this.lockedElsewhere = true;
          this.notify();
          const stop = onUploadCompletedElsewhere(fingerprint, (result) => this.completedElsewhere(result));
          try {
            lock = await locks.wait(fingerprint, { signal });
          } finally {
            stop();
          }
          this.lockedElsewhere = false;
          this.notify();
        }
        if (signal.aborted) {
          lock.release();
          return;
        }
        this.lock = lock;
      }
      let point: ResumePoint | undefined = this.options.upload.resume;
      if (!point) {
        const prepared = await prepareResume({
          file: this.file,
          fingerprint,
          store: resume.store,
          signer: this.options.upload.signer,
          signerId: resume.signerId,
          signal,
          ...(resume.ttlMs === undefined ? {} : { ttlMs: resume.ttlMs }),
          ...(this.options.upload.limits ? { limits: this.options.upload.limits } : {}),
          ...(this.options.upload.partSize ? { partSize: this.options.upload.partSize } : {}),
          ...(this.options.handle === undefined ? {} : { handle: this.options.handle }),
        });
        if (signal.aborted) {
          this.releaseLock();
          return;
        }
        point = prepared.resume;
        this.notice = prepared.notice ?? null;
      }
      this.resumed = point !== undefined;
      const engine: UploadOptions = { ...this.options.upload, fingerprint };
      if (point) engine.resume = point;
      let upload: Upload;
      try {
        upload = createUpload(this.file, engine);
      } catch (error) {
        this.releaseLock();
        this.fail(toUploadError(error));
        return;
      }
      this.launch(upload);
    } catch (error) {
      if (signal.aborted) return; // cancelled, suspended or completed elsewhere: already reported
      this.releaseLock();
      this.lockedElsewhere = false;
      this.fail(toUploadError(error));
    }
  }

  private fail(error: UploadError): void {
    this.preError = error;
    this.preStatus = 'error';
    this.notify();
    this.settled.reject(error);
  }

  /** The tab holding the lock completed this very file: report its result rather than upload it again. */
  private completedElsewhere(result: UploadResult): void {
    if (this.current || this.preStatus === 'cancelled') return;
    this.abort.abort();
    this.lockedElsewhere = false;
    this.preResult = result;
    this.preStatus = 'completed';
    this.notice = 'This file was uploaded in another tab.';
    this.notify();
    this.settled.resolve(result);
  }

  private launch(upload: Upload): void {
    this.current = upload;
    const resume = this.resumeOptions;
    if (resume && this.fingerprint) this.persist(upload, resume, this.fingerprint);
    if (this.watching || this.listeners.size > 0) this.attach();
    upload.start().then(this.settled.resolve, this.settled.reject);
    if (this.pauseWanted) upload.pause();
    this.notify();
  }

  private persist(upload: Upload, resume: SessionResumeOptions, fingerprint: string): void {
    const persistence = persistUpload(upload, {
      store: resume.store,
      fingerprint,
      file: this.file,
      signerId: resume.signerId,
      ...(resume.ttlMs === undefined ? {} : { ttlMs: resume.ttlMs }),
      ...(resume.flushIntervalMs === undefined ? {} : { flushIntervalMs: resume.flushIntervalMs }),
      ...(this.options.upload.name ? { name: this.options.upload.name } : {}),
      ...(this.options.upload.contentType ? { type: this.options.upload.contentType } : {}),
      ...(this.options.handle === undefined ? {} : { handle: this.options.handle }),
      ...(resume.onStoreError ? { onError: resume.onStoreError } : {}),
    });
    this.persistence = persistence;
    this.cleanups.push((resume.onPageHidden ?? onPageHidden)(() => void persistence.flush()));
    // Resumable sessions watch their Upload for as long as it runs, listeners or not: the lock
    // and the record must follow it even after the UI that started it went away.
    this.watching = true;
    this.cleanups.push(
      upload.subscribe((state, event) => {
        if (event.type === 'created') {
          void persistence.flush().then(() =>
            notifyResumableUploadsChanged({
              type: 'created',
              fingerprint,
              key: event.key,
              uploadId: event.uploadId,
            }),
          );
        } else if (event.type === 'status' && FINAL.includes(event.status)) {
          void this.finish(event.status as 'completed' | 'cancelled', state);
        }
      }),
    );
  }

  private async finish(status: 'completed' | 'cancelled', state: UploadState): Promise<void> {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.watching = false;
    if (this.listeners.size === 0) this.release();
    const persistence = this.persistence;
    this.persistence = null;
    // The record is removed before the lock goes: a tab taking over never finds a finished upload.
    if (persistence) {
      await persistence.flush();
      persistence.dispose();
    }
    const fingerprint = this.fingerprint ?? undefined;
    if (status === 'completed' && state.result && fingerprint)
      announceUploadCompleted(fingerprint, state.result);
    notifyResumableUploadsChanged({
      type: status,
      ...(fingerprint ? { fingerprint } : {}),
      ...(state.key ? { key: state.key } : {}),
      ...(state.uploadId ? { uploadId: state.uploadId } : {}),
    });
    this.releaseLock();
  }

  private releaseLock(): void {
    this.lock?.release();
    this.lock = null;
  }

  private attach(): void {
    if (!this.detach && this.current) this.detach = this.current.subscribe(this.notify);
  }

  private release(): void {
    if (this.watching) return;
    this.detach?.();
    this.detach = null;
  }
}

export function createResumableSession(options: ResumableSessionOptions): ResumableSession {
  return new ResumableSession(options);
}
