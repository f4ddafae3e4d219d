import {
  createResumableSession,
  type ResumableSession,
  type SessionState,
  type Upload,
  UploadError,
  type UploadFile,
  type UploadResult,
} from '../engine/index';
import { initialState } from '../engine/upload-state';
import { toSessionOptions } from './engine-options';
import { RUNNING } from './statuses';
import type { FileOptions, UploaderOptions } from './types';

const IDLE: SessionState = {
  ...initialState(0),
  lockedElsewhere: false,
  notice: null,
  fingerprint: null,
  resumed: false,
};

/**
 * The external store behind useMultipartUpload: holds the current session (replaced by each
 * start) and forwards its notifications. It listens to the session only while React listens to
 * it, so an unmounted component leaves no listener behind on a still-running upload (a resumable
 * session keeps its own watch on its upload, to persist it and release its lock at the end).
 */
export class UploadSlot {
  private session: ResumableSession | null = null;
  private readonly listeners = new Set<() => void>();
  private detach: (() => void) | null = null;
  private readonly notify = () => {
    for (const listener of [...this.listeners]) listener();
  };

  constructor(public options: UploaderOptions) {}

  get current(): Upload | null {
    return this.session?.upload ?? null;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.attach();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.release();
    };
  };

  /** The session's snapshot: a new object on every change, the same one otherwise. */
  readonly getState = (): SessionState => this.session?.getState() ?? IDLE;

  readonly start = (file: UploadFile, fileOptions?: FileOptions): Promise<UploadResult> => {
    const previous = this.session;
    const status = previous?.getState().status;
    if (status && (RUNNING.includes(status) || status === 'paused' || status === 'cancelling')) {
      return Promise.reject(
        new UploadError(
          'INVALID_OPTIONS',
          'An upload is already in progress in this useMultipartUpload: cancel it or wait for it to end before starting another file.',
        ),
      );
    }
    let session: ResumableSession;
    try {
      session = createResumableSession(toSessionOptions(this.options, file, fileOptions));
    } catch (error) {
      return Promise.reject(error);
    }
    // A failed upload being replaced is abandoned: abort it so S3 does not keep its parts.
    if (status === 'error') void previous?.cancel();
    this.release();
    this.session = session;
    if (this.listeners.size > 0) this.attach();
    const settled = session.start();
    this.notify();
    return settled;
  };

  readonly pause = (): void => this.session?.pause();
  readonly resume = (): void => this.session?.resume();
  readonly cancel = (): Promise<void> => this.session?.cancel() ?? Promise.resolve();
  readonly retry = (): void => {
    void this.session?.retry();
  };

  private attach(): void {
    this.detach = this.session?.subscribe(this.notify) ?? null;
  }

  private release(): void {
    this.detach?.();
    this.detach = null;
  }
}
