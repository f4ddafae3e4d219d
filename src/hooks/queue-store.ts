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
   * Parts in flight across this queue. Default: the engine's page-wide shared pool (6 per host
   * of the part URLs), which every upload on the page shares. A number gives this queue its own
   * pool of that size in total (still at most 6 per host). An explicit `pool` wins over both.
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
  /** Position in the queue (files start in this order). */
  order: number;
  kind: FileClass;
  /** Counted in `running` (running, not waiting for another tab, not removed). */
  counted: boolean;
  removed: boolean;
  /** Starts (or restarts after an error) and reports how it settles to onComplete/onError. */
  run(): void;
  unsubscribe(): void;
}

/** Entries in queue order; those that left 'idle' meanwhile are dropped when they reach the head. */
class Waiting {
  private list: Entry[] = [];
  private head = 0;

  push(entry: Entry): void {
    this.list.push(entry);
  }

  /** The first entry still waiting to start. */
  peek(): Entry | undefined {
    for (;;) {
      const entry = this.list[this.head];
      if (!entry || (!entry.removed && entry.item.session.getState().status === 'idle')) return entry;
      this.shift();
    }
  }

  shift(): void {
    this.head += 1;
    // Drop the consumed head now and then, in one go.
    if (this.head > 64 && this.head * 2 > this.list.length) {
      this.list = this.list.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The external store behind useUploadQueue. It listens to its sessions for as long as they are
 * in the list (to start waiting files when others end, even after the component unmounted);
 * React's listeners are separate and go away on unmount. A file waiting for another tab to let
 * go of it (`lockedElsewhere`) does not count against `maxConcurrentUploads`.
 * Per event it does O(1) work: running files are counted as their statuses change, waiting ones
 * kept in FIFOs, and the snapshot is built when read, so a queue of thousands of files stays cheap.
 */
export class QueueStore {
  private entries: Entry[] = [];
  private snapshot: QueueSnapshot = { items: [], ...queueProgress([]) };
  private stale = false;
  private readonly running: Record<FileClass, number> = { small: 0, large: 0 };
  private waiting: Record<FileClass, Waiting> = { small: new Waiting(), large: new Waiting() };
  private readonly listeners = new Set<() => void>();
  private ownPool: ConcurrencyPool | null = null;
  private holding = false;
  private pumping = false;
  private counter = 0;

  constructor(private options: QueueOptions) {}

  setOptions(options: QueueOptions): void {
    const before = this.options;
    this.options = options;
    if (this.ownPool && options.maxConcurrentParts) this.ownPool.setLimit(options.maxConcurrentParts);
    // Called on every render: only a change of what makes a file small or large re-sorts them.
    if (
      (before.maxConcurrentUploads === undefined) !== (options.maxConcurrentUploads === undefined) ||
      before.singlePutThreshold !== options.singlePutThreshold
    )
      this.reclassify();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): QueueSnapshot => {
    if (this.stale) {
      this.stale = false;
      const items = this.entries.map((e) => e.item);
      this.snapshot = { items, ...queueProgress(items) };
    }
    return this.snapshot;
  };

  /** Queues files; returns their ids. Uploads start as slots free up. */
  readonly add = (files: Iterable<File> | ArrayLike<File>, fileOptions?: FileOptions): string[] => {
    const options = { ...this.options, pool: this.pool() };
    const added = Array.from(files, (file) =>
      this.entry(file, createResumableSession(toSessionOptions(options, file, fileOptions))),
    );
    this.entries = [...this.entries, ...added];
    for (const entry of added) this.waiting[entry.kind].push(entry);
    this.pump();
    this.publish();
    return added.map((entry) => entry.item.id);
  };

  readonly remove = (id: string): void => {
    const entry = this.entries.find((e) => e.item.id === id);
    if (!entry) return;
    entry.unsubscribe();
    entry.removed = true;
    this.recount(entry);
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
    const entry: Entry = {
      item: itemOf(),
      order: this.counter,
      kind: this.classOf(file),
      counted: false,
      removed: false,
      run,
      unsubscribe: () => {},
    };
    entry.unsubscribe = session.subscribe(() => {
      const before = entry.item;
      entry.item = itemOf();
      // Progress events (most of them) free no slot: only a status change can start a waiting file.
      if (entry.item.status !== before.status || entry.item.lockedElsewhere !== before.lockedElsewhere) {
        this.recount(entry);
        this.pump();
      }
      this.publish();
    });
    return entry;
  }

  /** Brings `running` in line with the entry's state. */
  private recount(entry: Entry): void {
    const state = entry.item.session.getState();
    const counts = !entry.removed && RUNNING.includes(state.status) && !state.lockedElsewhere;
    if (counts === entry.counted) return;
    entry.counted = counts;
    this.running[entry.kind] += counts ? 1 : -1;
  }

  /** Sorts every file again after the options changed what is small. */
  private reclassify(): void {
    this.running.small = 0;
    this.running.large = 0;
    this.waiting = { small: new Waiting(), large: new Waiting() };
    for (const entry of this.entries) {
      entry.kind = this.classOf(entry.item.file);
      if (entry.counted) this.running[entry.kind] += 1;
      this.waiting[entry.kind].push(entry);
    }
  }

  /** Starts waiting files, in order, while fewer than maxConcurrentUploads are running. */
  private pump(): void {
    if (this.pumping || this.holding) return;
    this.pumping = true;
    try {
      for (;;) {
        // The first waiting file, of the classes with a free place.
        let next: Entry | undefined;
        for (const kind of ['small', 'large'] as const) {
          if (this.running[kind] >= this.limitOf(kind)) continue;
          const head = this.waiting[kind].peek();
          if (head && (!next || head.order < next.order)) next = head;
        }
        if (!next) break;
        this.waiting[next.kind].shift();
        next.run();
        this.recount(next);
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
    this.stale = true;
    for (const listener of [...this.listeners]) listener();
  }
}
