// Mocked mode: an in-memory S3 and signer as msw request handlers, so that the real engine (its
// HTTP signer over fetch, its XMLHttpRequest transport) runs in the browser with no server at all.
// The signer speaks docs/protocol.md, answering errors as the reference signer does; presigned
// PUTs go to /__mock/s3/..., which stores the part's size and answers an ETag header.
import { delay, HttpResponse, http, type RequestHandler } from 'msw';

export const MOCK_SIGNER_URL = '/__mock/api/uploads';
export const MOCK_S3_PATH = '/__mock/s3';
export const MOCK_BUCKET = 'storybook';
/** Presigned URL lifetime. */
const URL_LIFETIME_MS = 15 * 60_000;

export type SignerOp = 'create' | 'sign' | 'list' | 'complete' | 'abort' | 'find' | 'single';

export interface PutInfo {
  uploadId: string;
  key: string;
  partNumber: number;
  /** 1 for the first PUT of this part, 2 for its first retry, ... */
  attempt: number;
}

/**
 * What a PUT answers instead of storing the part: a Response as it is, "network" (the connection
 * fails: the browser sees a network error), or "hold" (no answer until `release()`).
 */
export type PutFault = Response | 'network' | 'hold' | undefined;

export interface MockS3Options {
  /** Replaces a signer operation's answer (return undefined to answer normally). */
  signer?: Partial<Record<SignerOp, (body: Record<string, unknown>) => Response | undefined>>;
  /** Answers a part PUT differently (see PutFault). */
  put?: (info: PutInfo) => PutFault;
  /** Adjusts what `complete` reports (e.g. a wrong size, for INTEGRITY_MISMATCH). */
  completed?: (object: { key: string; etag: string; size: number }) => {
    key: string;
    etag: string;
    size: number;
  };
}

interface MockUpload {
  key: string;
  uploadId: string;
  fingerprint?: string;
  /** partNumber → size of the stored part. */
  parts: Map<number, number>;
}

/** A signer error body, as docs/protocol.md specifies and the reference signer sends. */
export function signerError(status: number, code: string, message: string, headers?: HeadersInit) {
  return HttpResponse.json({ error: { code, message } }, { status, ...(headers ? { headers } : {}) });
}

/** An S3 XML error, as S3 (and Ceph RGW) answer a presigned PUT. */
export function s3Error(status: number, code: string, message = '') {
  return new HttpResponse(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    { status, headers: { 'content-type': 'application/xml' } },
  );
}

function etagOf(uploadId: string, partNumber: number): string {
  return `"${uploadId}-${partNumber}"`;
}

export type MockS3 = ReturnType<typeof createMockS3>;

let mocks = 0;

/**
 * A fresh mock. Each has its own bearer token and S3 path, so that requests of an uploader left
 * running by an earlier story (unmounting stops nothing) are refused instead of landing here.
 */
export function createMockS3(options: MockS3Options = {}) {
  mocks += 1;
  const id = `m${mocks}`;
  const token = `storybook-demo-token-${id}`;
  const s3Path = `${MOCK_S3_PATH}/${id}`;
  let disposed = false;
  const uploads = new Map<string, MockUpload>();
  const objects = new Map<string, number>();
  const calls: string[] = [];
  const puts: PutInfo[] = [];
  const attempts = new Map<string, number>();
  let held: Array<() => void> = [];
  let released = false;
  let counter = 0;
  let putFault = options.put;
  const signerFaults = { ...options.signer };

  const authorized = (request: Request) => request.headers.get('authorization') === `Bearer ${token}`;
  const unauthenticated = (request: Request) =>
    request.headers.has('authorization')
      ? signerError(401, 'UNAUTHENTICATED', 'The signer did not accept your credentials; sign in again.', {
          'WWW-Authenticate': 'Bearer realm="signer", error="invalid_token"',
        })
      : signerError(401, 'UNAUTHENTICATED', 'Authentication required: send Authorization: Bearer <token>.', {
          'WWW-Authenticate': 'Bearer realm="signer"',
        });
  const notFound = () =>
    signerError(
      404,
      'UPLOAD_NOT_FOUND',
      'The multipart upload no longer exists on S3 (aborted, completed or expired); start the upload again.',
    );
  const partUrl = (upload: MockUpload, partNumber: number) =>
    `${location.origin}${s3Path}/${MOCK_BUCKET}/${upload.key}?uploadId=${encodeURIComponent(upload.uploadId)}&partNumber=${partNumber}&X-Amz-Expires=${URL_LIFETIME_MS / 1000}`;

  /** One signer route: records the call, checks the token, lets the story answer instead. */
  const route = (
    op: SignerOp,
    path: string,
    answer: (body: Record<string, unknown>) => Response | Promise<Response>,
  ) =>
    http.post(`${MOCK_SIGNER_URL}${path}`, async ({ request }) => {
      // Calls of an earlier story's uploader (another token) are refused and not counted.
      if (!authorized(request)) return unauthenticated(request);
      calls.push(op);
      const body = (await request.json().catch(() => ({}))) as Record<string, unknown>;
      return signerFaults[op]?.(body) ?? answer(body);
    });

  const handlers: RequestHandler[] = [
    http.get(`${MOCK_SIGNER_URL}/time`, () => HttpResponse.json({ serverTime: Date.now() })),
    route('create', '/multipart', (body) => {
      counter += 1;
      const uploadId = `mock-upload-${counter}`;
      const key = `uploads/storybook/${uploadId}/${String(body.name)}`;
      const upload: MockUpload = { key, uploadId, parts: new Map() };
      if (typeof body.fingerprint === 'string') upload.fingerprint = body.fingerprint;
      uploads.set(uploadId, upload);
      return HttpResponse.json({ key, uploadId });
    }),
    route('sign', '/multipart/sign', (body) => {
      const upload = uploads.get(String(body.uploadId));
      if (!upload) return notFound();
      const expiresAt = Date.now() + URL_LIFETIME_MS;
      const parts = (body.parts as Array<{ partNumber: number }>).map(({ partNumber }) => ({
        partNumber,
        url: partUrl(upload, partNumber),
        expiresAt,
      }));
      return HttpResponse.json({ parts, serverTime: Date.now() });
    }),
    route('list', '/multipart/list', (body) => {
      const upload = uploads.get(String(body.uploadId));
      if (!upload) return notFound();
      const parts = [...upload.parts].map(([partNumber, size]) => ({
        partNumber,
        etag: etagOf(upload.uploadId, partNumber),
        size,
      }));
      return HttpResponse.json({ parts });
    }),
    route('complete', '/multipart/complete', (body) => {
      const upload = uploads.get(String(body.uploadId));
      if (!upload) return notFound();
      const listed = body.parts as Array<{ partNumber: number; etag: string }>;
      let size = 0;
      for (const { partNumber, etag } of listed) {
        const stored = upload.parts.get(partNumber);
        if (stored === undefined || etag !== etagOf(upload.uploadId, partNumber)) {
          return signerError(
            400,
            'INVALID_PARTS',
            `S3 refused the part list: part ${partNumber} is missing or its ETag differs. List the parts, upload the missing ones and complete again.`,
          );
        }
        size += stored;
      }
      uploads.delete(upload.uploadId);
      objects.set(upload.key, size);
      const object = { key: upload.key, etag: `"mock-${listed.length}"`, size };
      return HttpResponse.json(options.completed ? options.completed(object) : object);
    }),
    route('abort', '/multipart/abort', (body) => {
      uploads.delete(String(body.uploadId));
      return HttpResponse.json({ ok: true });
    }),
    route('find', '/multipart/find', (body) => {
      const found = [...uploads.values()].find((u) => u.fingerprint && u.fingerprint === body.fingerprint);
      return HttpResponse.json({ upload: found ? { key: found.key, uploadId: found.uploadId } : null });
    }),
    route('single', '/single', () =>
      signerError(400, 'BAD_REQUEST', 'The stories upload every file in parts (singlePutThreshold: 0).'),
    ),
    http.put(`${MOCK_S3_PATH}/*`, async ({ request }) => {
      const url = new URL(request.url);
      // A URL presigned by an earlier story's mock: not this bucket's.
      if (!url.pathname.startsWith(`${s3Path}/`)) return s3Error(403, 'AccessDenied', 'Access Denied');
      const uploadId = url.searchParams.get('uploadId') ?? '';
      const partNumber = Number(url.searchParams.get('partNumber'));
      const id = `${uploadId}#${partNumber}`;
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      const upload = uploads.get(uploadId);
      const info: PutInfo = { uploadId, key: upload?.key ?? '', partNumber, attempt };
      puts.push(info);
      const body = await request.arrayBuffer();
      let fault = putFault?.(info);
      if (fault === 'hold' && !released) {
        await new Promise<void>((resolve) => held.push(resolve));
        fault = disposed ? s3Error(403, 'AccessDenied', 'Access Denied') : undefined;
      }
      if (fault === 'network') return HttpResponse.error();
      if (fault instanceof Response) return fault;
      if (!upload) return s3Error(404, 'NoSuchUpload', 'The specified upload does not exist.');
      upload.parts.set(partNumber, body.byteLength);
      // A real S3 answers quickly but not instantly: enough for progress to show.
      await delay(5);
      return new HttpResponse(null, { status: 200, headers: { ETag: etagOf(uploadId, partNumber) } });
    }),
  ];

  return {
    handlers,
    /** The bearer token this mock's signer accepts. */
    token,
    /** Signer operations (authenticated) in the order they were called ("create", "sign", ...). */
    calls,
    /** Every part PUT received. */
    puts,
    /** Completed objects: key → size. */
    objects,
    /** Unfinished multipart uploads, by upload id. */
    uploads,
    /** PUTs held by a "hold" fault so far and still waiting. */
    get heldCount() {
      return held.length;
    },
    /** Changes how PUTs are answered from now on (undefined: normally). */
    setPut(next: MockS3Options['put']) {
      putFault = next;
    },
    /** Changes how a signer operation answers from now on (undefined: normally). */
    setSigner(op: SignerOp, next: ((body: Record<string, unknown>) => Response | undefined) | undefined) {
      if (next) signerFaults[op] = next;
      else delete signerFaults[op];
    },
    /** The story is over: held PUTs are refused (the uploader they belong to is gone). */
    dispose() {
      disposed = true;
      for (const go of held.splice(0)) go();
    },
    /** Answers the held PUTs, and every later one, normally. */
    release() {
      released = true;
      const waiting = held;
      held = [];
      for (const go of waiting) go();
    },
    /**
     * An unfinished upload S3 already has `parts` parts of (what an interrupted page leaves
     * behind), for the resumable prompt: returns its key and upload id.
     */
    seedUpload(name: string, fingerprint: string, parts: Array<{ partNumber: number; size: number }>) {
      counter += 1;
      const uploadId = `mock-upload-${counter}`;
      const key = `uploads/storybook/${uploadId}/${name}`;
      uploads.set(uploadId, {
        key,
        uploadId,
        fingerprint,
        parts: new Map(parts.map((p) => [p.partNumber, p.size])),
      });
      return { key, uploadId, etag: (partNumber: number) => etagOf(uploadId, partNumber) };
    },
  };
}
