import { etagNotExposedError, UploadError } from './errors';
import { parseS3Error } from './s3-error';
import type { TransportResponse } from './types';

/** What the scheduler should do after one PUT to S3. Pure: decided from the response alone. */
export type PutOutcome =
  | { kind: 'success'; etag: string }
  | { kind: 'retry'; cause: RetryCause; retryAfterMs?: number; s3Time?: number; detail: string }
  | { kind: 'fail'; error: UploadError };

export type RetryCause =
  /** Connection failed or dropped; no HTTP answer. */
  | 'network'
  /** No upload progress for too long (stall watchdog) or S3's RequestTimeout. */
  | 'timeout'
  /** 5xx from S3. */
  | 'server'
  /** 429 or 503 SlowDown: also lower the concurrency. */
  | 'throttled'
  /** The presigned URL expired: sign again, not a failure. */
  | 'expired'
  /** S3 says the signature's time is too far from its clock: sign again with S3's time. */
  | 'skewed'
  /** Body arrived corrupted (BadDigest): send the part again. */
  | 'corrupted';

function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Classifies an HTTP response to a presigned PUT. `now` is used only for HTTP-date Retry-After.
 * `urlExpired`: the URL was at (or near) its expiry when S3 answered. AWS says "Request has
 * expired"; Ceph RGW answers a bare 403 AccessDenied, so the URL's own expiry must decide.
 */
export function classifyPutResponse(
  response: TransportResponse,
  now: number,
  urlExpired = false,
): PutOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) {
    const etag = response.header('etag');
    if (!etag) return { kind: 'fail', error: etagNotExposedError() };
    return { kind: 'success', etag };
  }
  const s3 = parseS3Error(response.body);
  const detail = `HTTP ${status}${s3.code ? ` ${s3.code}` : ''}${s3.message ? `: ${s3.message}` : ''}`;
  if (status === 429 || (status === 503 && (s3.code === 'SlowDown' || s3.code === ''))) {
    return {
      kind: 'retry',
      cause: 'throttled',
      retryAfterMs: parseRetryAfter(response.header('retry-after'), now),
      detail,
    };
  }
  if (status >= 500) return { kind: 'retry', cause: 'server', detail };
  if (status === 400 && s3.code === 'RequestTimeout') return { kind: 'retry', cause: 'timeout', detail };
  if (status === 400 && s3.code === 'BadDigest') return { kind: 'retry', cause: 'corrupted', detail };
  if (status === 403 && s3.code === 'RequestTimeTooSkewed') {
    const fromBody = Date.parse(s3.serverTime);
    const fromHeader = Date.parse(response.header('date') ?? '');
    const s3Time = Number.isNaN(fromBody) ? (Number.isNaN(fromHeader) ? undefined : fromHeader) : fromBody;
    return { kind: 'retry', cause: 'skewed', s3Time, detail };
  }
  if (status === 403 && (/expired/i.test(s3.message) || (urlExpired && s3.code === 'AccessDenied'))) {
    return { kind: 'retry', cause: 'expired', detail };
  }
  if (status === 404 && s3.code === 'NoSuchUpload') {
    return {
      kind: 'fail',
      error: new UploadError(
        'UPLOAD_NOT_FOUND',
        'The multipart upload no longer exists on S3 (it was aborted or expired by a lifecycle rule), nor do its parts. Retry to upload the file again from the start.',
        { status },
      ),
    };
  }
  return {
    kind: 'fail',
    error: new UploadError(
      'S3_REJECTED',
      `S3 refused the upload (${detail}). Check the bucket's policy, CORS and the signer's credentials.`,
      { status },
    ),
  };
}
