import {
  ConcurrencyPool,
  createResumableSession,
  type ResumableSession,
  type SessionState,
  sharedPool,
  type Upload,
  type UploadError,
  type UploadResult,
} from '../engine/index';
import { toSessionOptions } from './engine-options';
import { type QueueProgress, queueProgress } from './queue-progress';
import { FINAL, RUNNING } from './statuses';
import type { FileOptions, UploaderOptions } from './types';

type FileClass = 'small' | 'large';
const LARGE_FILES_AT_ONCE = 3;
const SMALL_FILES_AT_ONCE = 12;
/** The engine's default: files up to this size go as one PUT. */
const DEFAULT_SINGLE_PUT_THRESHOLD = 8 * 1024 * 1024;

export interface QueueOptions extends UploaderOptions {
  /**
   * Parts in flight across this queue. Default: the engine's page-wide shared pool (6), which
   * every upload on the page shares. A number gives this queue its own pool of that size.
   * An explicit `pool` wins over both.
   */
  maxConcurrentParts?: number;
  /**
   * Files started at once; the others wait with status "idle". Default: 3 multipart files, and up
   * to 12 files small enough for one PUT (`singlePutThreshold`): the parts pool still caps their
   * PUTs, while the next small files sign (and hash) during the current ones' PUTs.
   */
  maxConcurrentUploads?: number;
  /** Called when a file's upload completes. */
  onComplete?(result: UploadResult, file: File, id: string): void;
  /** Called when a file's upload fails (not when it is cancelled). */
  onError?(error: UploadError, file: File, id: string): void;
}

/** One file of the queue: its engine state plus actions bound to it. */
export interface UploadQueueItem extends SessionState {
  id: string;
  file: File;
  /** The engine's Upload: null until it starts (a resumable one: after its lock and reconciliation). */
  upload: Upload | null;
  /** The file's session (fingerprint, lock, record, Upload). */
  session: ResumableSession;
  pause(): void;
  resume(): void;
  cancel(): Promise<void>;
  retry(): void;
  /** Cancels it if unfinished and drops it from the list. */
  remove(): void;
}

export interface QueueSnapshot extends QueueProgress {
  items: readonly UploadQueueItem[];
}

interface Entry {
  item: UploadQueueItem;
  /** Starts (or restarts after an error) and reports how it settles to onComplete/onError. */
  run(): void;
  unsubscribe(): void;
}

/**
 * The external store behind useUploadQueue. It listens to its sessions for as long as they are
 * in the list (to start waiting files when others end, even after the component unmounted);
 * React's listeners are separate and go away on unmount. A file waiting for another tab to let
 * go of it (`lockedElsewhere`) does not count against `maxConcurrentUploads`.
 */
export class QueueStore {
  private entries: Entry[] = [];
  private snapshot: QueueSnapshot = { items: [], ...queueProgress([]) };
  private readonly listeners = new Set<() => void>();
  private ownPool: ConcurrencyPool | null = null;
  private holding = false;
  private pumping = false;
  private counter = 0;

  constructor(private options: QueueOptions) {}

  setOptions(options: QueueOptions): void {
    this.options = options;
    if (this.ownPool && options.maxConcurrentParts) this.ownPool.setLimit(options.maxConcurrentParts);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): QueueSnapshot => this.snapshot;

  /** Queues files; returns their ids. Uploads start as slots free up. */
  readonly add = (files: Iterable<File> | ArrayLike<File>, fileOptions?: FileOptions): string[] => {
    const options = { ...this.options, pool: this.pool() };
    const added = Array.from(files, (file) =>
      this.entry(file, createResumableSession(toSessionOptions(options, file, fileOptions))),
    );
    this.entries = [...this.entries, ...added];
    this.pump();
    this.publish();
    return added.map((entry) => entry.item.id);
  };

  readonly remove = (id: string): void => {
    const entry = this.entries.find((e) => e.item.id === id);
    if (!entry) return;
    entry.unsubscribe();
    this.entries = this.entries.filter((e) => e !== entry);
    if (!FINAL.includes(entry.item.session.getState().status)) void entry.item.session.cancel();
    this.pump();
    this.publish();
  };

  /** Pauses running files and keeps waiting ones from starting until resumeAll. */
  readonly pauseAll = (): void => {
    this.holding = true;
    for (const { item } of this.entries) item.session.pause();
  };

  readonly resumeAll = (): void => {
    this.holding = false;
    for (const { item } of this.entries) item.session.resume();
    this.pump();
  };

  readonly cancelAll = (): Promise<void> =>
    Promise.all(this.entries.map(({ item }) => item.session.cancel())).then(() => {});

  private entry(file: File, session: ResumableSession): Entry {
    this.counter += 1;
    const id = `upload-${this.counter}`;
    const report = (settled: Promise<UploadResult>) =>
      settled.then(
        (result) => this.options.onComplete?.(result, file, id),
        (error: UploadError) => {
          if (error.code !== 'CANCELLED') this.options.onError?.(error, file, id);
        },
      );
    const run = () => {
      const { status } = session.getState();
      if (status === 'idle') void report(session.start());
      else if (status === 'error') void report(session.retry());
    };
    const actions = {
      id,
      file,
      session,
      pause: () => session.pause(),
      // A waiting file resumed by hand starts now, whatever the queue's limit.
      resume: () => (session.getState().status === 'idle' ? run() : session.resume()),
      cancel: () => session.cancel(),
      retry: run,
      remove: () => this.remove(id),
    };
    const itemOf = (): UploadQueueItem => ({ ...session.getState(), upload: session.upload, ...actions });
    const entry: Entry = { item: itemOf(), run, unsubscribe: () => {} };
    entry.unsubscribe = session.subscribe(() => {
      const before = entry.item;
      entry.item = itemOf();
      // Progress events (most of them) free no slot: only a status change can start a waiting file.
      if (entry.item.status !== before.status || entry.item.lockedElsewhere !== before.lockedElsewhere)
        this.pump();
      this.publish();
    });
    return entry;
  }

  /** Starts waiting files, in order, while fewer than maxConcurrentUploads are running. */
  private pump(): void {
    if (this.pumping || this.holding) return;
    this.pumping = true;
    try {
      const running = new Map<FileClass, number>([
        ['small', 0],
        ['large', 0],
      ]);
      for (const e of this.entries) {
        const state = e.item.session.getState();
        if (RUNNING.includes(state.status) && !state.lockedElsewhere) {
          const kind = this.classOf(e.item.file);
          running.set(kind, (running.get(kind) ?? 0) + 1);
        }
      }
      for (const entry of this.entries) {
        if (entry.item.session.getState().status !== 'idle') continue;
        const kind = this.classOf(entry.item.file);
        if ((running.get(kind) ?? 0) >= this.limitOf(kind)) continue;
        entry.run();
        running.set(kind, (running.get(kind) ?? 0) + 1);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** With an explicit maxConcurrentUploads every file counts alike ('large'). */
  private classOf(file: File): FileClass {
    if (this.options.maxConcurrentUploads !== undefined) return 'large';
    return file.size <= (this.options.singlePutThreshold ?? DEFAULT_SINGLE_PUT_THRESHOLD) ? 'small' : 'large';
  }

  private limitOf(kind: FileClass): number {
    return (
      this.options.maxConcurrentUploads ?? (kind === 'small' ? SMALL_FILES_AT_ONCE : LARGE_FILES_AT_ONCE)
    );
  }

  private pool(): ConcurrencyPool {
    const { pool, maxConcurrentParts } = this.options;
    if (pool) return pool;
    if (!maxConcurrentParts) return sharedPool;
    this.ownPool ??= new ConcurrencyPool(maxConcurrentParts);
    return this.ownPool;
  }

  private publish(): void {
    const items = this.entries.map((e) => e.item);
    this.snapshot = { items, ...queueProgress(items) };
    for (const listener of [...this.listeners]) listener();
  }
}
