import {
  browserNetworkStatus,
  createHttpSigner,
  createXhrTransport,
  sharedPool,
  type UploadOptions,
} from '../engine/index';
import type { FileOptions, UploaderOptions } from './types';

/**
 * Turns hook options into engine options. Called when an upload is created, never at module
 * load or during render, so importing the hooks stays SSR-safe.
 */
export function toEngineOptions(options: UploaderOptions, file: FileOptions = {}): UploadOptions {
  const { signer, token, transport, network, pool, ...rest } = options;
  return {
    ...rest,
    ...file,
    signer: typeof signer === 'string' ? createHttpSigner(signer, { token }) : signer,
    transport: transport ?? createXhrTransport(),
    network: network ?? browserNetworkStatus(),
    pool: pool ?? sharedPool,
  };
}
