import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileAsBlob } from './node-file';
import { createFetchTransport } from './transport-fetch';
import { TransportFailure, type TransportRequest } from './types';

interface Received {
  headers: IncomingMessage['headers'];
  body: Buffer;
}

let server: Server;
let base: string;
const received = new Map<string, Received>();

// /ok collects the body and answers 200; /forbidden answers 403 XML; /redirect answers 307;
// /hold never reads the body; /destroy kills the socket once the first body bytes arrive.
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    if (path.startsWith('/hold')) return;
    if (path.startsWith('/redirect')) {
      req.resume();
      req.on('end', () => {
        res.writeHead(307, { location: '/ok?redirected' });
        res.end('<Error><Code>TemporaryRedirect</Code></Error>');
      });
      return;
    }
    if (path.startsWith('/destroy')) {
      req.once('data', () => req.socket.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.set(path, { headers: req.headers, body: Buffer.concat(chunks) });
      if (path.startsWith('/forbidden')) {
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end('<Error><Code>AccessDenied</Code></Error>');
        return;
      }
      res.writeHead(200, { etag: '"abc"', 'x-amz-request-id': 'r1' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function put(path: string, body: Blob, extra: Partial<TransportRequest> = {}): TransportRequest {
  return {
    url: `${base}${path}`,
    method: 'PUT',
    headers: {},
    body,
    signal: new AbortController().signal,
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<TransportFailure> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportFailure);
  return error as TransportFailure;
}

describe('createFetchTransport', () => {
  it('streams the exact bytes with Content-Length, not chunked, and reports monotonic progress', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const progress: number[] = [];
    const transport = createFetchTransport();
    const response = await transport(
      put('/ok?partNumber=1&X-Amz-Signature=s', new Blob([bytes]), {
        headers: { 'Content-MD5': 'md5==', 'content-type': 'application/octet-stream' },
        onProgress: (n) => progress.push(n),
      }),
    );
    expect(response.status).toBe(200);
    expect(response.header('ETag')).toBe('"abc"');
    expect(response.header('x-missing')).toBeNull();
    expect(response.body).toBe('');

    const got = received.get('/ok?partNumber=1&X-Amz-Signature=s');
    expect(got?.headers['content-length']).toBe(String(bytes.length));
    expect(got?.headers['transfer-encoding']).toBeUndefined();
    expect(got?.headers['content-md5']).toBe('md5==');
    expect(got?.body.equals(bytes)).toBe(true);

    expect(progress.length).toBeGreaterThan(10);
    expect(progress.every((n, i) => i === 0 || n > (progress[i - 1] ?? 0))).toBe(true);
    expect(progress.at(-1)).toBe(bytes.length);
  });

  it('sends a slice of a bigger Blob without the rest', async () => {
    const bytes = randomBytes(200_000);
    await createFetchTransport()(put('/ok?slice', new Blob([bytes]).slice(1000, 151_000)));
    expect(received.get('/ok?slice')?.body.equals(bytes.subarray(1000, 151_000))).toBe(true);
  });

  it('sends an empty body with Content-Length 0', async () => {
    const response = await createFetchTransport()(put('/ok?empty', new Blob([])));
    expect(response.status).toBe(200);
    expect(received.get('/ok?empty')?.headers['content-length']).toBe('0');
  });

  it('resolves with error statuses and their body', async () => {
    const response = await createFetchTransport()(put('/forbidden', new Blob(['x'])));
    expect(response.status).toBe(403);
    expect(response.body).toContain('AccessDenied');
  });

  it('returns a redirect as is rather than failing on the unreplayable stream', async () => {
    const response = await createFetchTransport()(put('/redirect', new Blob(['hello'])));
    expect(response.status).toBe(307);
    expect(response.body).toContain('TemporaryRedirect');
    expect(received.has('/ok?redirected')).toBe(false);
  });

  it('sends the Blob itself with streamBody: false, reporting progress once at the end', async () => {
    const bytes = randomBytes(100_000);
    const progress: number[] = [];
    const transport = createFetchTransport(undefined, { streamBody: false });
    await transport(put('/ok?plain', new Blob([bytes]), { onProgress: (n) => progress.push(n) }));
    expect(received.get('/ok?plain')?.headers['content-length']).toBe('100000');
    expect(received.get('/ok?plain')?.body.equals(bytes)).toBe(true);
    expect(progress).toEqual([100_000]);
  });

  it('rejects with "aborted" when the signal aborts mid-body', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const pending = createFetchTransport()(
      put('/hold', new Blob([new Uint8Array(16 * 1024 * 1024)]), {
        signal: controller.signal,
        onProgress: (n) => {
          progress.push(n);
          if (progress.length === 3) controller.abort();
        },
      }),
    );
    const error = await failure(pending);
    expect(error.kind).toBe('aborted');
    expect(progress.at(-1)).toBeLessThan(16 * 1024 * 1024);
  });

  it('rejects with "aborted" at once when the signal is already aborted', async () => {
    const signal = AbortSignal.abort();
    const error = await failure(createFetchTransport()(put('/ok?never', new Blob(['x']), { signal })));
    expect(error.kind).toBe('aborted');
    expect(received.has('/ok?never')).toBe(false);
  });

  it('rejects with "network" when the server drops the connection mid-body', async () => {
    const error = await failure(
      createFetchTransport()(put('/destroy', new Blob([new Uint8Array(16 * 1024 * 1024)]))),
    );
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/PUT http:\/\/127\.0\.0\.1:\d+\/destroy failed/);
  });

  it('rejects with "network" when nothing listens, keeping the query (credentials) out of the message', async () => {
    const error = await failure(
      createFetchTransport()(
        put('/ok', new Blob(['x']), { url: 'http://127.0.0.1:9/k?X-Amz-Signature=secret' }),
      ),
    );
    expect(error.kind).toBe('network');
    expect(error.message).not.toContain('secret');
  });

  it('streams a slice of a file on disk, and fails as "network" if the file changed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 's3mu-fetch-'));
    try {
      const path = join(dir, 'big.bin');
      const bytes = randomBytes(1024 * 1024);
      await writeFile(path, bytes);
      const file = await openFileAsBlob(path);
      const progress: number[] = [];
      const part = file.slice(256 * 1024, 768 * 1024);
      await createFetchTransport()(put('/ok?file', part, { onProgress: (n) => progress.push(n) }));
      expect(received.get('/ok?file')?.headers['content-length']).toBe(String(512 * 1024));
      expect(received.get('/ok?file')?.body.equals(bytes.subarray(256 * 1024, 768 * 1024))).toBe(true);
      expect(progress.at(-1)).toBe(512 * 1024);

      await writeFile(path, randomBytes(1024));
      const error = await failure(createFetchTransport()(put('/ok?changed', part)));
      expect(error.kind).toBe('network');
      expect(received.has('/ok?changed')).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
