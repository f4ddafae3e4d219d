// Housekeeping for a "you have unfinished uploads" view, framework-free: a live list of the
// resumable uploads in a store, and discarding one (never one another tab is driving).
import { isUploadError, UploadError } from './errors';
import { discardResumableUpload, listResumableUploads, type ResumableUpload } from './resume';
import { notifyResumableUploadsChanged, onResumableUploadsChanged } from './resume-events';
import type { ResumeStore } from './store/types';
import type { CallContext, Signer } from './types';
import { browserUploadLocks, type UploadLocks } from './upload-lock';

export interface ResumableUploadInfo extends ResumableUpload {
  /** 0–100: the bytes of the parts recorded as stored. */
  percent: number;
  /** Another tab (or an uploader of this page) is uploading it right now. */
  lockedElsewhere: boolean;
  /** A FileSystemFileHandle was kept: it can be reopened without picking the file again. */
  hasHandle: boolean;
}

export interface ResumableUploadsSnapshot {
  uploads: readonly ResumableUploadInfo[];
  /** True until the first listing. */
  loading: boolean;
  /** The last listing's failure (the store could not be read), or null. */
  error: unknown;
}

export interface ResumableUploadsWatcherOptions {
  /** Only this signer's uploads (default: all). */
  signerId?: string;
  /** Lock provider used to tell which uploads run elsewhere (default: the browser's). false: never. */
  locks?: UploadLocks | false;
  /**
   * Listing again this often (default 2 s) when the store cannot notify changes, or while an
   * upload runs elsewhere (a tab closing changes nothing in the store).
   */
  pollMs?: number;
  now?: () => number;
}

const EMPTY: ResumableUploadsSnapshot = { uploads: [], loading: true, error: null };

/**
 * A live list of a store's resumable uploads, most recently active first. It watches while it has
 * listeners (store notifications, this page's sessions, polling where needed) and stops after.
 */
export class ResumableUploadsWatcher {
  private snapshot: ResumableUploadsSnapshot = EMPTY;
  private readonly listeners = new Set<() => void>();
  private stops: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private expiredRemoved = false;

  constructor(
    readonly store: ResumeStore,
    private readonly options: ResumableUploadsWatcherOptions = {},
  ) {}

  readonly getSnapshot = (): ResumableUploadsSnapshot => this.snapshot;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.startWatching();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopWatching();
    };
  };

  /** Lists again now (coalesced with a listing already running). */
  readonly refresh = (): Promise<void> => {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.list().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.running;
  };

  private startWatching(): void {
    const refresh = () => void this.refresh();
    if (this.store.subscribe) this.stops.push(this.store.subscribe(refresh));
    this.stops.push(onResumableUploadsChanged(refresh));
    refresh();
  }

  private stopWatching(): void {
    for (const stop of this.stops.splice(0)) stop();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async list(): Promise<void> {
    const now = this.options.now?.() ?? Date.now();
    let next: ResumableUploadsSnapshot;
    try {
      // Expired records are deleted once; afterwards the listing only reads (a write here would
      // wake the store's own change notifications again).
      let uploads: ResumableUpload[];
      if (this.expiredRemoved) {
        uploads = (await this.store.list())
          .filter(
            (r) =>
              r.expiresAt > now &&
              (this.options.signerId === undefined || r.signerId === this.options.signerId),
          )
          .sort((a, b) => b.updatedAt - a.updatedAt)
          .map((r) => ({ ...r, bytesUploaded: r.parts.reduce((n, p) => n + p.size, 0) }));
      } else {
        const filter = this.options.signerId === undefined ? {} : { signerId: this.options.signerId };
        uploads = await listResumableUploads(this.store, now, filter);
        this.expiredRemoved = true;
      }
      const locks = this.options.locks === false ? null : (this.options.locks ?? browserUploadLocks);
      const held =
        locks && uploads.length > 0 ? await locks.held().catch(() => new Set<string>()) : new Set();
      next = {
        loading: false,
        error: null,
        uploads: uploads.map((u) => ({
          ...u,
          percent: u.size > 0 ? Math.min(100, (u.bytesUploaded / u.size) * 100) : 0,
          lockedElsewhere: held.has(u.id),
          hasHandle: u.handle !== undefined && u.handle !== null,
        })),
      };
    } catch (error) {
      next = { ...this.snapshot, loading: false, error };
    }
    if (!sameSnapshot(this.snapshot, next)) {
      this.snapshot = next;
      for (const listener of [...this.listeners]) listener();
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.listeners.size === 0) return;
    const needed = !this.store.subscribe || this.snapshot.uploads.some((u) => u.lockedElsewhere);
    if (!needed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, this.options.pollMs ?? 2000);
  }
}

function sameSnapshot(a: ResumableUploadsSnapshot, b: ResumableUploadsSnapshot): boolean {
  if (a.loading !== b.loading || a.error !== b.error || a.uploads.length !== b.uploads.length) return false;
  return a.uploads.every((u, i) => {
    const v = b.uploads[i] as ResumableUploadInfo;
    return (
      u.id === v.id &&
      u.updatedAt === v.updatedAt &&
      u.bytesUploaded === v.bytesUploaded &&
      u.lockedElsewhere === v.lockedElsewhere &&
      u.hasHandle === v.hasHandle &&
      u.uploadId === v.uploadId
    );
  });
}

export interface DiscardOptions extends CallContext {
  /** Lock provider (default: the browser's). false: discard without checking. */
  locks?: UploadLocks | false;
}

/**
 * Discards a resumable upload: aborts it on S3 and deletes its record (`discardResumableUpload`),
 * unless another tab is uploading it right now, which rejects with UPLOAD_IN_USE. Resolves false
 * when there was no record.
 */
export async function discardUpload(
  store: ResumeStore,
  signer: Signer,
  fingerprint: string,
  options: DiscardOptions = {},
): Promise<boolean> {
  const locks = options.locks === false ? null : (options.locks ?? browserUploadLocks);
  const ctx: CallContext = options.signal ? { signal: options.signal } : {};
  const lock = locks ? await locks.acquire(fingerprint, ctx) : null;
  if (lock && !lock.acquired) {
    throw new UploadError(
      'UPLOAD_IN_USE',
      'This upload is running in another tab or window: stop it there (or close that tab) to discard it.',
    );
  }
  try {
    const record = await store.get(fingerprint);
    const discarded = await discardResumableUpload(store, signer, fingerprint, ctx);
    if (discarded) {
      notifyResumableUploadsChanged({
        type: 'discarded',
        fingerprint,
        ...(record ? { key: record.key, uploadId: record.uploadId } : {}),
      });
    }
    return discarded;
  } catch (error) {
    if (isUploadError(error)) throw error;
    throw new UploadError(
      'SIGNER_FAILED',
      `The upload could not be discarded: ${error instanceof Error ? error.message : String(error)}`,
      { retryable: true, cause: error },
    );
  } finally {
    lock?.release();
  }
}
