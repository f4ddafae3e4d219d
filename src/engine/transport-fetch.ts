import { type Transport, TransportFailure, type TransportRequest, type TransportResponse } from './types';

// fetch() for runtimes without XMLHttpRequest (Node 20's undici, workers). fetch has no upload
// progress event, so by default the Blob is sent as a ReadableStream that counts the bytes the
// HTTP client pulls. An explicit Content-Length keeps undici from switching to chunked encoding,
// which presigned S3 PUTs refuse; undici then also checks the stream delivers exactly that many.
// Browsers only stream request bodies over HTTP/2, so there pass `streamBody: false`.

export interface FetchTransportOptions {
  /** Stream the body to report progress as it is sent (default true). False: send the Blob, progress once at the end. */
  streamBody?: boolean;
}

/** `fetchImpl` is looked up per request when omitted, so test interceptors installed later still apply. */
export function createFetchTransport(
  fetchImpl?: typeof fetch,
  options: FetchTransportOptions = {},
): Transport {
  return (request) => send(fetchImpl ?? globalThis.fetch, request, options.streamBody ?? true);
}

async function send(
  doFetch: typeof fetch,
  request: TransportRequest,
  stream: boolean,
): Promise<TransportResponse> {
  const { body, signal, onProgress } = request;
  const where = `${request.method} ${request.url.split('?')[0]}`;
  if (signal.aborted) throw new TransportFailure('aborted', `${where} was aborted before it started`);
  const streaming = stream && body.size > 0;
  const headers = new Headers(request.headers);
  const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers, signal };
  if (streaming) {
    headers.set('content-length', String(body.size));
    init.body = countingStream(body, onProgress);
    init.duplex = 'half'; // required by fetch for stream bodies
    // A stream cannot be replayed, so undici fails a redirect with a bare "fetch failed" (which
    // would be retried as a network error forever); hand the 3xx and S3's XML to the caller instead.
    init.redirect = 'manual';
  } else {
    init.body = body;
  }
  try {
    const response = await doFetch(request.url, init);
    const text = await response.text();
    if (!streaming) onProgress?.(body.size);
    return { status: response.status, header: (name) => response.headers.get(name), body: text };
  } catch (error) {
    // With a reason set, fetch rejects with that reason, so ask the signal rather than the error.
    if (signal.aborted) throw new TransportFailure('aborted', `${where} was aborted`, { cause: error });
    throw new TransportFailure('network', `${where} failed without an HTTP response: ${describe(error)}`, {
      cause: error,
    });
  }
}

/** Node hands an in-memory Blob over as one chunk; slices of it (views, not copies) keep progress fine-grained. */
const MAX_CHUNK = 64 * 1024;

/** A pull-only stream over the Blob: progress counts bytes handed to the HTTP client, not buffered ahead. */
function countingStream(
  blob: Blob,
  onProgress: ((sent: number) => void) | undefined,
): ReadableStream<Uint8Array> {
  const reader = blob.stream().getReader();
  let pending: Uint8Array = new Uint8Array(0);
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (pending.byteLength === 0) {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            return;
          }
          pending = value;
        }
        const chunk = pending.subarray(0, MAX_CHUNK);
        pending = pending.subarray(chunk.byteLength);
        controller.enqueue(chunk);
        sent += chunk.byteLength;
        onProgress?.(sent);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** undici's TypeError says only "fetch failed"; the useful part (ECONNRESET, ...) is in its cause. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message} (${typeof code === 'string' ? `${code}: ` : ''}${cause.message})`;
  }
  return error.message;
}
