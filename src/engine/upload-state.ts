import type { UploadError } from './errors';
import type { UploadedPart } from './types';

export type UploadStatus =
  | 'idle'
  | 'preparing'
  | 'uploading'
  | 'paused'
  | 'offline'
  | 'completing'
  | 'completed'
  | 'cancelling'
  | 'cancelled'
  | 'error';

export interface UploadResult {
  key: string;
  /** Object ETag (`"md5-N"` style for multipart); empty only if a single PUT's ETag is hidden by CORS. */
  etag: string;
  size: number;
  /** Multipart upload id, or null for a single PUT. */
  uploadId: string | null;
  partCount: number;
  /**
   * `verified`: every part was bound to its MD5 (S3 refused corrupted bodies) and the object's
   * ETag equals the one computed from those MD5s. `parts`: per-part MD5s only (verification
   * skipped by option). `unverifiable`: per-part MD5s checked, but the store's ETag is not an
   * MD5 (SSE-KMS, some mocks). `off`: integrity disabled.
   */
  integrity: 'verified' | 'parts' | 'unverifiable' | 'off';
}

/** An immutable snapshot; a new object is emitted on every change. */
export interface UploadState {
  status: UploadStatus;
  /** Bytes counted as uploaded; never decreases within a run, even when a part is retried. */
  bytesUploaded: number;
  bytesTotal: number;
  /** 0–100. */
  percent: number;
  partsCompleted: number;
  partsTotal: number;
  partSize: number;
  /** Bytes per second over the last few seconds (0 until known). */
  speed: number;
  /** Seconds left at the current speed, or null until known. */
  etaSeconds: number | null;
  /** Retries so far (all causes). */
  retries: number;
  key: string | null;
  uploadId: string | null;
  error: UploadError | null;
  result: UploadResult | null;
}

export type UploadEvent =
  | { type: 'status'; status: UploadStatus }
  | { type: 'progress' }
  /** A multipart upload was created on S3 (persist it to resume later). */
  | { type: 'created'; key: string; uploadId: string; partSize: number }
  /** A part is stored on S3 (persist it to resume later). */
  | { type: 'part'; part: UploadedPart }
  | { type: 'retry'; partNumber: number | null; cause: string; delayMs: number; detail: string };

export type UploadListener = (state: UploadState, event: UploadEvent) => void;

export function initialState(bytesTotal: number): UploadState {
  return {
    status: 'idle',
    bytesUploaded: 0,
    bytesTotal,
    percent: 0,
    partsCompleted: 0,
    partsTotal: 0,
    partSize: 0,
    speed: 0,
    etaSeconds: null,
    retries: 0,
    key: null,
    uploadId: null,
    error: null,
    result: null,
  };
}
