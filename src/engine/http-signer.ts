import { isUploadError, UploadError } from './errors';
import {
  parseAbort,
  parseComplete,
  parseCreate,
  parseErrorBody,
  parseFindUpload,
  parseListParts,
  parseSignParts,
  parseSingle,
  ShapeError,
} from './signer-response';
import type { CallContext, Signer } from './types';

// The Signer interface over the JSON protocol of docs/protocol.md. Every failure becomes an
// UploadError whose code tells the scheduler whether to retry, and whose message tells the
// developer what to fix. An abort through ctx.signal is rethrown as fetch raised it.

export interface HttpSignerOptions {
  /** Sent as `Authorization: Bearer <token>`; a function is called before every request (to refresh it). */
  token?: string | (() => string | Promise<string>);
  /** Defaults to the global fetch, looked up at each call. */
  fetch?: typeof fetch;
  /** Extra headers for every request (e.g. a CSRF token). */
  headers?: Record<string, string>;
  /**
   * Give up on a signer request that has not answered in this long (default 30 s): a retryable
   * SIGNER_UNREACHABLE, so a hung signer or a black-holed connection is retried, not waited on
   * forever. Completion gets at least 10 minutes: S3 may take minutes to assemble many parts.
   */
  timeoutMs?: number;
}

const COMPLETE_TIMEOUT_MS = 10 * 60_000;

export function createHttpSigner(baseUrl: string, options: HttpSignerOptions = {}): Signer {
  const base = baseUrl.replace(/\/+$/, '');

  async function post<T>(
    path: string,
    payload: unknown,
    parse: (body: unknown) => T,
    ctx?: CallContext,
    minTimeoutMs = 0,
  ) {
    const url = `${base}${path}`;
    const headers: Record<string, string> = {
      ...options.headers,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    const doFetch = options.fetch ?? globalThis.fetch;

    let response: Response;
    let text: string;
    const timeoutMs = Math.max(minTimeoutMs, options.timeoutMs ?? 30_000);
    const request = new AbortController();
    const forward = () => request.abort(ctx?.signal?.reason);
    if (ctx?.signal?.aborted) forward();
    ctx?.signal?.addEventListener('abort', forward, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.abort();
    }, timeoutMs);
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(payload),
        signal: request.signal,
      });
      text = await response.text();
    } catch (error) {
      if (ctx?.signal?.aborted) throw error;
      if (timedOut)
        throw new UploadError(
          'SIGNER_UNREACHABLE',
          `The signer at ${url} did not answer within ${timeoutMs / 1000} s; it is retried. Check that the ` +
            'signer (and the S3 it calls) is responsive.',
          { retryable: true, cause: error },
        );
      throw new UploadError(
        'SIGNER_UNREACHABLE',
        `Could not reach the signer at ${url} (${describe(error)}). Check that the signer is running at ` +
          'that address and that its CORS settings allow this origin.',
        { retryable: true, cause: error },
      );
    } finally {
      clearTimeout(timer);
      ctx?.signal?.removeEventListener('abort', forward);
    }

    const json = parseJson(text);
    if (!response.ok) throw statusError(response, url, json, text);
    const badResponse = (what: string) =>
      new UploadError(
        'SIGNER_BAD_RESPONSE',
        `The signer at ${url} answered HTTP ${response.status} with ${what}; expected the JSON of ` +
          'docs/protocol.md. Check that the URL points at the signer and that the signer is up to date.',
        { status: response.status },
      );
    if (json === NOT_JSON) throw badResponse(`something that is not JSON (${snippet(response, text)})`);
    try {
      return parse(json);
    } catch (error) {
      if (error instanceof ShapeError) throw badResponse(`JSON where ${error.message}`);
      throw error;
    }
  }

  return {
    createMultipartUpload(input, ctx) {
      const { name, size, type, lastModified, fingerprint, partSize, partCount } = input;
      const payload = { name, size, type, lastModified, fingerprint, partSize, partCount };
      return post('/multipart', payload, parseCreate, ctx);
    },
    signParts(input, ctx) {
      const parts = input.parts.map(({ partNumber, contentLength, contentMd5 }) => ({
        partNumber,
        contentLength,
        contentMd5,
      }));
      const payload = { key: input.key, uploadId: input.uploadId, parts, s3Time: input.s3Time };
      const requested = parts.map((p) => p.partNumber);
      return post('/multipart/sign', payload, (body) => parseSignParts(body, requested), ctx);
    },
    listParts({ key, uploadId }, ctx) {
      return post('/multipart/list', { key, uploadId }, parseListParts, ctx);
    },
    completeMultipartUpload(input, ctx) {
      const parts = input.parts.map(({ partNumber, etag }) => ({ partNumber, etag }));
      return post(
        '/multipart/complete',
        { key: input.key, uploadId: input.uploadId, parts },
        parseComplete,
        ctx,
        COMPLETE_TIMEOUT_MS,
      );
    },
    abortMultipartUpload({ key, uploadId }, ctx) {
      return post('/multipart/abort', { key, uploadId }, parseAbort, ctx);
    },
    signSinglePut(input, ctx) {
      // No s3Time here: docs/protocol.md does not define it for /single and the reference signer refuses unknown fields.
      const { name, size, type, lastModified, fingerprint, contentMd5 } = input;
      const payload = { name, size, type, lastModified, fingerprint, contentMd5 };
      return post('/single', payload, parseSingle, ctx);
    },
    async findUpload({ fingerprint, size, name }, ctx) {
      try {
        return await post('/multipart/find', { fingerprint, size, name }, parseFindUpload, ctx);
      } catch (error) {
        // A signer without the route (older, or custom) cannot find uploads: nothing to resume.
        if (isUploadError(error) && (error.status === 404 || error.status === 405)) return null;
        throw error;
      }
    },
  };
}

const NOT_JSON = Symbol('not JSON');

/** Empty text is `undefined` (a 204); unparsable text is NOT_JSON. */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** Non-2xx: the status decides the code; the signer's `{error}` body supplies the message. */
function statusError(response: Response, url: string, json: unknown, text: string): UploadError {
  const { status } = response;
  const { code, message } = parseErrorBody(json);
  const detail = message ?? `its answer is not a protocol error (${snippet(response, text)})`;
  const context = `(signer: HTTP ${status}${code ? ` ${code}` : ''} from POST ${url})`;
  if (status === 404 && code === 'UPLOAD_NOT_FOUND') {
    return new UploadError('UPLOAD_NOT_FOUND', `${detail} ${context}`, { status });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return new UploadError('SIGNER_FAILED', `The signer is rate limiting: ${detail} ${context}`, {
      status,
      retryable: true,
      retryAfterMs,
    });
  }
  if (status >= 400 && status < 500)
    return new UploadError('SIGNER_REJECTED', `${detail} ${context}`, { status });
  if (status === 501) {
    // Not implemented (by the signer, or by its S3): asking again cannot help.
    return new UploadError('SIGNER_FAILED', `${detail} ${context}`, { status });
  }
  if (status >= 500) {
    return new UploadError('SIGNER_FAILED', `The signer failed: ${detail} ${context}`, {
      status,
      retryable: true,
    });
  }
  return new UploadError('SIGNER_BAD_RESPONSE', `Unexpected answer: ${detail} ${context}`, { status });
}

/** Retry-After in seconds or as an HTTP date. Browsers hide it unless the signer's CORS exposes it. */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A short, single-line excerpt of a body, to recognise an HTML error page or a proxy's answer. */
function snippet(response: Response, text: string): string {
  const type = response.headers.get('content-type') ?? 'no content type';
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return `${type}, empty body`;
  return `${type}: "${flat.length > 120 ? `${flat.slice(0, 120)}…` : flat}"`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
