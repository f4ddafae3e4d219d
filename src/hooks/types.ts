import type {
  HttpSignerOptions,
  ResumeStore,
  Signer,
  Transport,
  UploadLocks,
  UploadOptions,
} from '../engine/index';

/** How the hooks make uploads resumable (see `UploaderOptions.resume`). */
export interface ResumeOptions {
  /** Where records are kept (default: IndexedDB through Dexie, memory where it is missing; created on first use). */
  store?: ResumeStore;
  /** Identity of the signer owning the records (default: the signer URL, or "signer" for a Signer object). */
  signerId?: string;
  /** Lifetime of a record after its last write (default 7 days). */
  ttlMs?: number;
  /** At most one batched write of finished parts per this interval (default 1 s). */
  flushIntervalMs?: number;
  /** One upload, one tab (default: Web Locks, a localStorage lease where missing). false: no lock. */
  locks?: UploadLocks | false;
}

/**
 * Options of the React hooks: the engine's UploadOptions with browser defaults filled in
 * (XHR transport, navigator.onLine, the page-wide shared pool) and a signer that may be a URL.
 */
export interface UploaderOptions
  extends Omit<UploadOptions, 'signer' | 'transport' | 'name' | 'contentType' | 'fingerprint' | 'resume'> {
  /** Base URL of a signer speaking docs/protocol.md (e.g. "/api/uploads"), or your own Signer object. */
  signer: string | Signer;
  /** Bearer token for a URL signer; a function is called before every request. Ignored for a Signer object. */
  token?: HttpSignerOptions['token'];
  /** Default: XMLHttpRequest, the browser API that reports upload progress. */
  transport?: Transport;
  /**
   * Resumable uploads: each file is fingerprinted, locked to one tab, reconciled with what an
   * earlier page stored and persisted as its parts finish, so a reload or a browser restart
   * continues it (pick the file again; with a stored file handle, no picking). Default: on in
   * browsers when `signer` is a URL, off otherwise (pass `true` or options to turn it on for a
   * Signer object). `false` turns it off.
   */
  resume?: ResumeOptions | boolean;
}

/** What differs per file: passed to `start(file, options)` / `add(files, options)`. */
export type FileOptions = Pick<UploadOptions, 'name' | 'contentType' | 'fingerprint' | 'resume'> & {
  /** The file's FileSystemFileHandle (File System Access API), kept with its record to resume without re-picking. */
  handle?: unknown;
};
