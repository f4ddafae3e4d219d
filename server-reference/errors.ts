// Protocol errors: every non-2xx answer is `{"error": {"code", "message"}}` (docs/protocol.md).

export type SignerErrorCode =
  | 'BAD_REQUEST'
  | 'INVALID_PARTS'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UPLOAD_NOT_FOUND'
  | 'TOO_LARGE'
  | 'UNSUPPORTED_TYPE'
  | 'RATE_LIMITED'
  | 'S3_ERROR'
  | 'S3_UNSUPPORTED'
  | 'INTERNAL';

export interface ErrorBody {
  error: { code: SignerErrorCode; message: string };
}

export class SignerHttpError extends Error {
  readonly statusCode: number;
  readonly code: SignerErrorCode;
  /** Seconds, sent as Retry-After (429/503). */
  readonly retryAfter: number | undefined;
  /** Extra response headers (e.g. WWW-Authenticate on 401). */
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    code: SignerErrorCode,
    message: string,
    options: { retryAfter?: number; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'SignerHttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.retryAfter = options.retryAfter;
    this.headers = options.headers ?? {};
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export const badRequest = (message: string) => new SignerHttpError(400, 'BAD_REQUEST', message);
