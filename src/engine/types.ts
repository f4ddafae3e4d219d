// Contracts between the scheduler and its edges (signer, transport, clock).
// Everything here is plain data so it can cross a worker, a JSON wire or a store.

/** Injected time source so the scheduler can be driven by a fake clock in tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Returns a number in [0, 1); injected so backoff jitter is deterministic in tests. */
export type Random = () => number;

/** Cancellation for one signer call. */
export interface CallContext {
  signal?: AbortSignal;
}

export interface FileDescription {
  /** Client's name for the file: only a hint, the signer chooses the key. */
  name: string;
  size: number;
  type: string;
  lastModified?: number;
  /** Stable identity of the file's content, used to find an upload to resume. */
  fingerprint?: string;
}

export interface CreateMultipartInput extends FileDescription {
  partSize: number;
  partCount: number;
}

export interface CreateMultipartOutput {
  key: string;
  uploadId: string;
}

export interface UploadRef {
  key: string;
  uploadId: string;
}

export interface PartToSign {
  partNumber: number;
  contentLength: number;
  /** base64 MD5 of the part; when present the URL binds it as Content-MD5. */
  contentMd5?: string;
}

export interface SignPartsInput extends UploadRef {
  parts: PartToSign[];
  /** S3's clock (epoch ms) as learned from RequestTimeTooSkewed; the signer may sign with it. */
  s3Time?: number;
}

/** A presigned request. `expiresAt` is epoch ms on the signer's clock. */
export interface PresignedRequest {
  url: string;
  /** Headers the request must carry exactly (e.g. Content-MD5, Content-Type). */
  headers?: Record<string, string>;
  expiresAt: number;
}

export interface SignedPart extends PresignedRequest {
  partNumber: number;
}

export interface SignPartsOutput {
  parts: SignedPart[];
  /** Signer's clock (epoch ms) when it signed; lets the engine judge expiry with skewed client clocks. */
  serverTime?: number;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
  size?: number;
}

export interface ListPartsOutput {
  parts: UploadedPart[];
}

export interface CompleteMultipartInput extends UploadRef {
  parts: { partNumber: number; etag: string }[];
}

export interface CompletedObject {
  key: string;
  /** Object ETag as S3 reports it (the signer falls back to HeadObject when Complete returns none). */
  etag: string;
  size?: number;
  location?: string;
}

export interface SignSingleInput extends FileDescription {
  contentMd5?: string;
}

export interface SignSingleOutput extends PresignedRequest {
  key: string;
  serverTime?: number;
}

/** One of the caller's unfinished multipart uploads, as a signer lists them (`Signer.listUploads`). */
export interface RemoteUpload {
  key: string;
  uploadId: string;
  /** The file name given when the upload was created, if the signer kept it. */
  name?: string;
  size?: number;
  /** The content fingerprint given at creation (`fingerprintFile`), if the signer kept it. */
  fingerprint?: string;
  /** When S3 created the multipart upload (epoch ms). */
  initiated?: number;
}

export interface ListUploadsOutput {
  uploads: RemoteUpload[];
}

/** What `Signer.findUpload` looks for: the caller's unfinished upload of this file. */
export interface FindUploadInput {
  /** `fingerprintFile(file)`: 64 lowercase hex digits. */
  fingerprint: string;
  /** Hints for signers that match on them (the reference signer matches the fingerprint only). */
  size?: number;
  name?: string;
}

/** An unfinished multipart upload found by `Signer.findUpload`. */
export interface FoundUpload {
  key: string;
  uploadId: string;
  /** When S3 (or the signer's registry) says the upload was created, epoch ms. */
  initiated?: number;
}

/**
 * The backend that owns the AWS credentials. `createHttpSigner(url)` implements it over the
 * JSON protocol in docs/protocol.md; apps can pass their own object instead.
 */
export interface Signer {
  createMultipartUpload(input: CreateMultipartInput, ctx?: CallContext): Promise<CreateMultipartOutput>;
  signParts(input: SignPartsInput, ctx?: CallContext): Promise<SignPartsOutput>;
  listParts(input: UploadRef, ctx?: CallContext): Promise<ListPartsOutput>;
  completeMultipartUpload(input: CompleteMultipartInput, ctx?: CallContext): Promise<CompletedObject>;
  abortMultipartUpload(input: UploadRef, ctx?: CallContext): Promise<void>;
  signSinglePut(input: SignSingleInput, ctx?: CallContext): Promise<SignSingleOutput>;
  /**
   * Optional: the authenticated caller's newest unfinished multipart upload of the file with this
   * fingerprint (created by `createMultipartUpload` with the same fingerprint, in any browser or
   * device), or null. Lets `prepareResume` continue an upload no local record knows of; check it
   * with `listParts` before trusting it. `createHttpSigner` implements it as `POST B/multipart/find`
   * and answers null when the signer has no such route (404/405).
   */
  findUpload?(input: FindUploadInput, ctx?: CallContext): Promise<FoundUpload | null>;
  /**
   * Optional: the caller's (the authenticated owner's) unfinished multipart uploads, for a "you
   * have unfinished uploads" view that also covers other browsers and devices. The signer decides
   * whose uploads these are; docs/protocol.md does not define an endpoint for it yet, so
   * `createHttpSigner` does not implement it and `useRemoteResumableUploads` stays disabled
   * without it.
   */
  listUploads?(ctx?: CallContext): Promise<ListUploadsOutput>;
}

export interface TransportRequest {
  url: string;
  /** Always PUT for S3 parts and single uploads. */
  method: 'PUT';
  headers: Record<string, string>;
  /** A Blob slice of the file, never a copy: the transport streams it. */
  body: Blob;
  /** Aborting it means "stop this request": the scheduler alone knows why. */
  signal: AbortSignal;
  /** Called with the cumulative bytes of the body sent so far (monotonic within one request). */
  onProgress?: (sentBytes: number) => void;
}

export interface TransportResponse {
  status: number;
  /** Response header lookup; null when absent or hidden by CORS. */
  header(name: string): string | null;
  /** Response body text (S3 error XML on failures; usually empty on success). */
  body: string;
}

/**
 * Sends one HTTP request. Resolves with any HTTP status; rejects with a TransportFailure
 * when no response arrived (network error or abort).
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** Thrown by transports when no HTTP response was received. */
export class TransportFailure extends Error {
  readonly kind: 'network' | 'aborted';
  constructor(kind: 'network' | 'aborted', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportFailure';
    this.kind = kind;
  }
}

/** Online/offline source; the browser edge wraps navigator.onLine and its events. */
export interface NetworkStatus {
  isOnline(): boolean;
  /** Calls back on every change; returns an unsubscribe function. */
  subscribe(listener: (online: boolean) => void): () => void;
}
