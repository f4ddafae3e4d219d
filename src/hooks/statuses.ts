import type { UploadStatus } from '../engine/index';

/** Statuses in which an upload holds (or is about to hold) network slots. */
export const RUNNING: readonly UploadStatus[] = ['preparing', 'uploading', 'completing', 'offline'];

/** Statuses after which nothing more happens. */
export const FINAL: readonly UploadStatus[] = ['completed', 'cancelled'];
