import {
  createUpload,
  type Upload,
  UploadError,
  type UploadFile,
  type UploadResult,
  type UploadState,
} from '../engine/index';
import { initialState } from '../engine/upload-state';
import { toEngineOptions } from './engine-options';
import { RUNNING } from './statuses';
import type { FileOptions, UploaderOptions } from './types';

/**
 * The external store behind useMultipartUpload: holds the current Upload (replaced by each
 * start) and forwards its notifications. It listens to the Upload only while React listens to
 * it, so an unmounted component leaves no listener behind on a still-running upload.
 */
export class UploadSlot {
  private upload: Upload | null = null;
  private readonly idle: UploadState = initialState(0);
  private readonly listeners = new Set<() => void>();
  private detach: (() => void) | null = null;
  private readonly notify = () => {
    for (const listener of [...this.listeners]) listener();
  };

  constructor(public options: UploaderOptions) {}

  get current(): Upload | null {
    return this.upload;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.attach();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.release();
    };
  };

  /** The engine's snapshot: a new object on every change, the same one otherwise. */
  readonly getState = (): UploadState => this.upload?.getState() ?? this.idle;

  readonly start = (file: UploadFile, fileOptions?: FileOptions): Promise<UploadResult> => {
    const previous = this.upload;
    const status = previous?.getState().status;
    if (status && (RUNNING.includes(status) || status === 'paused' || status === 'cancelling')) {
      return Promise.reject(
        new UploadError(
          'INVALID_OPTIONS',
          'An upload is already in progress in this useMultipartUpload: cancel it or wait for it to end before starting another file.',
        ),
      );
    }
    let upload: Upload;
    try {
      upload = createUpload(file, toEngineOptions(this.options, fileOptions));
    } catch (error) {
      return Promise.reject(error);
    }
    // A failed upload being replaced is abandoned: abort it so S3 does not keep its parts.
    if (status === 'error') void previous?.cancel();
    this.release();
    this.upload = upload;
    if (this.listeners.size > 0) this.attach();
    const settled = upload.start();
    this.notify();
    return settled;
  };

  readonly pause = (): void => this.upload?.pause();
  readonly resume = (): void => this.upload?.resume();
  readonly cancel = (): Promise<void> => this.upload?.cancel() ?? Promise.resolve();
  readonly retry = (): void => {
    void this.upload?.retry();
  };

  private attach(): void {
    this.detach = this.upload?.subscribe(this.notify) ?? null;
  }

  private release(): void {
    this.detach?.();
    this.detach = null;
  }
}
