import type { Signer, Transport, TransportRequest, TransportResponse } from '../../src/engine/types';

type Fault = TransportResponse | 'network' | 'hang' | undefined;

/**
 * An in-memory S3 + signer pair for scheduler tests: URLs carry the upload id and part number,
 * the transport stores the bytes it receives, complete assembles the object. A `fault` hook
 * lets a test answer any request differently.
 */
export function createFakeS3(options: { urlLifetimeMs?: number; now?: () => number } = {}) {
  const now = options.now ?? (() => Date.now());
  const lifetime = options.urlLifetimeMs ?? 15 * 60_000;
  const uploads = new Map<string, Map<number, Uint8Array>>();
  /** fingerprint → the upload created with it (what a signer's findUpload answers). */
  const byFingerprint = new Map<string, { key: string; uploadId: string }>();
  const objects = new Map<string, Uint8Array>();
  const calls: string[] = [];
  const puts: Array<{ partNumber: number | null; bytes: number }> = [];
  let counter = 0;
  let fault: (request: TransportRequest, partNumber: number | null) => Fault = () => undefined;

  const ok = (etag: string): TransportResponse => ({
    status: 200,
    header: (name) => (name.toLowerCase() === 'etag' ? etag : null),
    body: '',
  });

  const signer: Signer = {
    async createMultipartUpload(input) {
      calls.push('create');
      counter += 1;
      const uploadId = `upload-${counter}`;
      uploads.set(uploadId, new Map());
      if (input.fingerprint) byFingerprint.set(input.fingerprint, { key: `uploads/${input.name}`, uploadId });
      return { key: `uploads/${input.name}`, uploadId };
    },
    async signParts(input) {
      calls.push(`sign:${input.parts.map((p) => p.partNumber).join(',')}`);
      const expiresAt = now() + lifetime;
      return {
        serverTime: now(),
        parts: input.parts.map((p) => ({
          partNumber: p.partNumber,
          url: `fake://s3/${input.key}?uploadId=${input.uploadId}&partNumber=${p.partNumber}&expires=${expiresAt}`,
          expiresAt,
        })),
      };
    },
    async listParts(input) {
      calls.push('list');
      const parts = uploads.get(input.uploadId);
      if (!parts) throw new Error('NoSuchUpload');
      return {
        parts: [...parts.entries()].map(([partNumber, b]) => ({
          partNumber,
          etag: `"etag-${partNumber}"`,
          size: b.length,
        })),
      };
    },
    async completeMultipartUpload(input) {
      calls.push('complete');
      const parts = uploads.get(input.uploadId);
      if (!parts) throw new Error('NoSuchUpload');
      const chunks = input.parts.map((p) => {
        const chunk = parts.get(p.partNumber);
        if (!chunk || p.etag !== `"etag-${p.partNumber}"`) throw new Error(`InvalidPart ${p.partNumber}`);
        return chunk;
      });
      const size = chunks.reduce((n, c) => n + c.length, 0);
      const object = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        object.set(chunk, offset);
        offset += chunk.length;
      }
      objects.set(input.key, object);
      uploads.delete(input.uploadId);
      return { key: input.key, etag: `"md5-${input.parts.length}"`, size };
    },
    async findUpload(input) {
      calls.push('find');
      const found = byFingerprint.get(input.fingerprint);
      return found && uploads.has(found.uploadId) ? found : null;
    },
    async abortMultipartUpload(input) {
      calls.push('abort');
      uploads.delete(input.uploadId);
    },
    async signSinglePut(input) {
      calls.push('single');
      const expiresAt = now() + lifetime;
      return {
        key: `single/${input.name}`,
        url: `fake://s3/single/${input.name}?expires=${expiresAt}`,
        expiresAt,
        serverTime: now(),
      };
    },
  };

  const transport: Transport = async (request) => {
    const url = new URL(request.url);
    const partParam = url.searchParams.get('partNumber');
    const partNumber = partParam ? Number(partParam) : null;
    const injected = fault(request, partNumber);
    if (injected === 'network')
      throw Object.assign(new Error('connection reset'), { name: 'TransportFailure' });
    if (injected === 'hang') {
      return new Promise((_, reject) => {
        request.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    if (injected) return injected;
    if (Number(url.searchParams.get('expires')) <= now()) {
      return {
        status: 403,
        header: () => null,
        body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
      };
    }
    const bytes = new Uint8Array(await request.body.arrayBuffer());
    if (request.signal.aborted) throw new Error('aborted');
    request.onProgress?.(bytes.length);
    puts.push({ partNumber, bytes: bytes.length });
    if (partNumber === null) {
      objects.set(url.pathname.replace(/^\/+/, ''), bytes);
      return ok('"single"');
    }
    const parts = uploads.get(url.searchParams.get('uploadId') ?? '');
    if (!parts) return { status: 404, header: () => null, body: '<Error><Code>NoSuchUpload</Code></Error>' };
    parts.set(partNumber, bytes);
    return ok(`"etag-${partNumber}"`);
  };

  return {
    signer,
    transport,
    calls,
    puts,
    objects,
    uploads,
    setFault(next: typeof fault) {
      fault = next;
    },
  };
}

export function randomBytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
