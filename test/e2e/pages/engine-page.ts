// A page exposing the engine to browser tests: window.runUpload(...) uploads a generated file
// with the XHR transport and reports every state it saw plus the file's SHA-256.
import {
  browserNetworkStatus,
  createHttpSigner,
  createUpload,
  createXhrTransport,
} from '../../../src/engine/index';
import type { UploadState } from '../../../src/engine/upload-state';

interface RunOptions {
  signer: string;
  size: number;
  partSize?: number;
  concurrency?: number;
  stallTimeoutMs?: number;
  /** Shift this page's clock (Date.now) by this many ms, as on a machine with a wrong clock. */
  clockSkewMs?: number;
}

interface RunResult {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
  sha256: string;
  statuses: string[];
  maxBytes: number;
  backwards: boolean;
  retries: string[];
}

function makeFile(size: number): File {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536)
    crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)));
  return new File([bytes], 'browser.bin', { type: 'application/octet-stream' });
}

async function sha256(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

declare global {
  interface Window {
    runUpload(options: RunOptions): Promise<RunResult>;
    lastState?: UploadState;
    currentUpload?: { cancel(): Promise<void> };
  }
}

window.runUpload = async (options) => {
  if (options.clockSkewMs) {
    const realNow = Date.now.bind(Date);
    Date.now = () => realNow() + (options.clockSkewMs ?? 0);
  }
  const file = makeFile(options.size);
  const upload = createUpload(file, {
    signer: createHttpSigner(options.signer),
    transport: createXhrTransport(),
    network: browserNetworkStatus(),
    partSize: options.partSize ?? 5 * 1024 * 1024,
    concurrency: options.concurrency ?? 4,
    stallTimeoutMs: options.stallTimeoutMs ?? 20_000,
    backoff: { baseDelayMs: 100, maxDelayMs: 1000 },
  });
  window.currentUpload = upload;
  const statuses: string[] = [];
  let maxBytes = 0;
  let backwards = false;
  const retries: string[] = [];
  upload.subscribe((state, event) => {
    if (event.type === 'retry') retries.push(`${event.partNumber ?? 'signer'}:${event.cause}`);
    window.lastState = state;
    if (statuses.at(-1) !== state.status) statuses.push(state.status);
    if (state.bytesUploaded < maxBytes) backwards = true;
    maxBytes = Math.max(maxBytes, state.bytesUploaded);
  });
  const hash = await sha256(file);
  try {
    const result = await upload.start();
    return { ok: true, result, sha256: hash, statuses, maxBytes, backwards, retries };
  } catch (error) {
    const e = error as { code: string; message: string };
    return {
      ok: false,
      error: { code: e.code, message: e.message },
      sha256: hash,
      statuses,
      maxBytes,
      backwards,
      retries,
    };
  }
};
