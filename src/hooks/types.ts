import type { HttpSignerOptions, Signer, Transport, UploadOptions } from '../engine/index';

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
}

/** What differs per file: passed to `start(file, options)` / `add(files, options)`. */
export type FileOptions = Pick<UploadOptions, 'name' | 'contentType' | 'fingerprint' | 'resume'>;
