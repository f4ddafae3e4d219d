import { type Transport, TransportFailure, type TransportRequest, type TransportResponse } from './types';

// XMLHttpRequest is the browser API that reports upload progress, so it is the browser transport.
// The Blob goes to send() as is: the browser streams it from disk (~6x faster than a byte copy).

/** The URL without its query: presigned queries carry credentials and must not reach logs. */
function withoutQuery(url: string): string {
  return url.split('?')[0] ?? url;
}

export function createXhrTransport(): Transport {
  return (request) => send(request);
}

function send(request: TransportRequest): Promise<TransportResponse> {
  const { signal, body, onProgress } = request;
  const where = `${request.method} ${withoutQuery(request.url)}`;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new TransportFailure('aborted', `${where} was aborted before it started`));
      return;
    }
    const xhr = new XMLHttpRequest();
    let sent = 0;

    const cleanup = () => {
      signal.removeEventListener('abort', onSignalAbort);
      xhr.upload.onprogress = null;
      xhr.onload = null;
      xhr.onerror = null;
      xhr.onabort = null;
      xhr.ontimeout = null;
    };
    // Only our own signal means "aborted": Safari fires `abort` when a connection drops.
    const fail = (event: string) => {
      cleanup();
      if (signal.aborted) {
        reject(new TransportFailure('aborted', `${where} was aborted`));
      } else {
        reject(networkFailure(where, `the request ended with "${event}"`));
      }
    };
    const onSignalAbort = () => xhr.abort();

    xhr.upload.onprogress = (event) => {
      const loaded = Math.min(event.loaded, body.size);
      if (loaded > sent) {
        sent = loaded;
        onProgress?.(sent);
      }
    };
    xhr.onload = () => {
      cleanup();
      if (xhr.status === 0) {
        reject(networkFailure(where, 'no HTTP status was received'));
        return;
      }
      resolve({
        status: xhr.status,
        header: (name) => xhr.getResponseHeader(name),
        body: xhr.responseText,
      });
    };
    xhr.onerror = () => fail('error');
    xhr.onabort = () => fail('abort');
    xhr.ontimeout = () => fail('timeout');

    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    signal.addEventListener('abort', onSignalAbort, { once: true });
    xhr.send(body);
  });
}

function networkFailure(where: string, what: string): TransportFailure {
  return new TransportFailure(
    'network',
    `${where} failed: ${what}. The network is down, or the browser blocked the response by CORS ` +
      "(the bucket's CORS rules must allow PUT from this origin and expose ETag).",
  );
}
