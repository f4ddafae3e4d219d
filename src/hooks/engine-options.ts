import {
  browserNetworkStatus,
  createHttpSigner,
  createXhrTransport,
  type ResumableSessionOptions,
  type Signer,
  sharedPool,
  type UploadFile,
  type UploadOptions,
} from '../engine/index';
import { resolveResume } from './resume-options';
import type { FileOptions, UploaderOptions } from './types';

/** The Signer of hook options: a URL becomes an HTTP signer with the token. */
export function toSigner(options: Pick<UploaderOptions, 'signer' | 'token'>): Signer {
  const { signer, token } = options;
  return typeof signer === 'string' ? createHttpSigner(signer, { token }) : signer;
}

/**
 * Turns hook options into engine options. Called when an upload is created, never at module
 * load or during render, so importing the hooks stays SSR-safe.
 */
export function toEngineOptions(options: UploaderOptions, file: FileOptions = {}): UploadOptions {
  const { signer, token, transport, network, pool, resume, ...rest } = options;
  const { handle, ...perFile } = file;
  return {
    ...rest,
    ...perFile,
    signer: toSigner({ signer, token }),
    transport: transport ?? createXhrTransport(),
    network: network ?? browserNetworkStatus(),
    pool: pool ?? sharedPool,
  };
}

/** Everything a ResumableSession of `file` needs, from hook options. */
export function toSessionOptions(
  options: UploaderOptions,
  file: UploadFile,
  fileOptions: FileOptions = {},
): ResumableSessionOptions {
  const session: ResumableSessionOptions = {
    file,
    upload: toEngineOptions(options, fileOptions),
    resume: resolveResume(options),
  };
  if (fileOptions.handle !== undefined) session.handle = fileOptions.handle;
  return session;
}
