// Typed errors with stable codes. Messages say what went wrong and what to do about it.

export type UploadErrorCode =
  /** The file is larger than the store's limits allow (parts × part size). */
  | 'FILE_TOO_LARGE'
  /** Options are inconsistent (part size outside limits, bad concurrency, ...). */
  | 'INVALID_OPTIONS'
  /** The signer could not be reached (network error, DNS, refused). */
  | 'SIGNER_UNREACHABLE'
  /** The signer answered with something that is not the protocol (HTML, bad JSON, missing fields). */
  | 'SIGNER_BAD_RESPONSE'
  /** The signer refused the request (4xx); its message is included. */
  | 'SIGNER_REJECTED'
  /** The signer failed (5xx) after all retries. */
  | 'SIGNER_FAILED'
  /** S3 answered a part PUT without a readable ETag: the bucket CORS must expose it. */
  | 'ETAG_NOT_EXPOSED'
  /** A request to S3 could not be sent at all, typically CORS refusing the browser. */
  | 'S3_NETWORK_ERROR'
  /** S3 refused the request for a reason retrying cannot fix (4xx). */
  | 'S3_REJECTED'
  /** Retries were exhausted (network errors, timeouts, 5xx, throttling). */
  | 'RETRIES_EXHAUSTED'
  /** The multipart upload no longer exists on S3 (aborted or expired by a lifecycle rule). */
  | 'UPLOAD_NOT_FOUND'
  /** The file could not be read (moved, deleted, changed, permission revoked). */
  | 'FILE_UNREADABLE'
  /** Another tab (or another upload in this page) is driving this upload: it holds its lock. */
  | 'UPLOAD_IN_USE'
  /** The stored object does not match the file (size or ETag computed from the part MD5s). */
  | 'INTEGRITY_MISMATCH'
  /** The user cancelled. */
  | 'CANCELLED';

export class UploadError extends Error {
  readonly code: UploadErrorCode;
  /** True when calling `retry()` may succeed (e.g. network problems), false for configuration errors. */
  readonly retryable: boolean;
  /** HTTP status of the response behind this error, if any. */
  readonly status: number | undefined;
  /** How long the server asked us to wait before retrying (from Retry-After), if it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: UploadErrorCode,
    message: string,
    options: { retryable?: boolean; status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'UploadError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isUploadError(value: unknown): value is UploadError {
  return value instanceof UploadError;
}

export function etagNotExposedError(): UploadError {
  return new UploadError(
    'ETAG_NOT_EXPOSED',
    'S3 accepted the part but the browser cannot read its ETag header. Add "ETag" to ExposeHeaders in ' +
      "the bucket's CORS configuration (see docs/setup.md), then retry.",
  );
}
