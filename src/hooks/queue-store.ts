import {
  ConcurrencyPool,
  createUpload,
  sharedPool,
  type Upload,
  type UploadError,
  type UploadResult,
  type UploadState,
} from '../engine/index';
import { toEngineOptions } from './engine-options';
import { type QueueProgress, queueProgress } from './queue-progress';
import { FINAL, RUNNING } from './statuses';
import type { FileOptions, UploaderOptions } from './types';

export interface QueueOptions extends UploaderOptions {
  /**
   * Parts in flight across this queue. Default: the engine's page-wide shared pool (6), which
   * every upload on the page shares. A number gives this queue its own pool of that size.
   * An explicit `pool` wins over both.
   */
  maxConcurrentParts?: number;
  /** Files started at once (default 3); the others wait with status "idle". */
  maxConcurrentUploads?: number;
  /** Called when a file's upload completes. */
  onComplete?(result: UploadResult, file: File, id: string): void;
  /** Called when a file's upload fails (not when it is cancelled). */
  onError?(error: UploadError, file: File, id: string): void;
}

/** One file of the queue: its engine state plus actions bound to it. */
export interface UploadQueueItem extends UploadState {
  id: string;
  file: File;
  upload: Upload;
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
 * The external store behind useUploadQueue. It listens to its uploads for as long as they are
 * in the list (to start waiting files when others end, even after the component unmounted);
 * React's listeners are separate and go away on unmount.
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
      this.entry(file, createUpload(file, toEngineOptions(options, fileOptions))),
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
    if (!FINAL.includes(entry.item.upload.getState().status)) void entry.item.upload.cancel();
    this.pump();
    this.publish();
  };

  /** Pauses running files and keeps waiting ones from starting until resumeAll. */
  readonly pauseAll = (): void => {
    this.holding = true;
    for (const { item } of this.entries) item.upload.pause();
  };

  readonly resumeAll = (): void => {
    this.holding = false;
    for (const { item } of this.entries) item.upload.resume();
    this.pump();
  };

  readonly cancelAll = (): Promise<void> =>
    Promise.all(this.entries.map(({ item }) => item.upload.cancel())).then(() => {});

  private entry(file: File, upload: Upload): Entry {
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
      const { status } = upload.getState();
      if (status === 'idle') void report(upload.start());
      else if (status === 'error') void report(upload.retry());
    };
    const actions = {
      id,
      file,
      upload,
      pause: () => upload.pause(),
      // A waiting file resumed by hand starts now, whatever the queue's limit.
      resume: () => (upload.getState().status === 'idle' ? run() : upload.resume()),
      cancel: () => upload.cancel(),
      retry: run,
      remove: () => this.remove(id),
    };
    const entry: Entry = { item: { ...upload.getState(), ...actions }, run, unsubscribe: () => {} };
    entry.unsubscribe = upload.subscribe((state) => {
      entry.item = { ...state, ...actions };
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
      const limit = this.options.maxConcurrentUploads ?? 3;
      let running = this.entries.filter((e) => RUNNING.includes(e.item.upload.getState().status)).length;
      for (const entry of this.entries) {
        if (running >= limit) break;
        if (entry.item.upload.getState().status !== 'idle') continue;
        entry.run();
        running += 1;
      }
    } finally {
      this.pumping = false;
    }
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
