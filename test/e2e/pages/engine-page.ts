// A page exposing the engine to browser tests: window.runUpload(...) uploads a generated file
// with the XHR transport and reports every state it saw plus the file's SHA-256.
import {
  browserNetworkStatus,
  createHttpSigner,
  createUpload,
  createXhrTransport,
} from '../../../src/engine/index';
import type { Transport } from '../../../src/engine/types';
import type { UploadState } from '../../../src/engine/upload-state';

interface RunOptions {
  signer: string;
  size: number;
  partSize?: number;
  concurrency?: number | 'auto';
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
  /** Part PUTs handed to the browser at once, at most: in all and to any one host. */
  peakInFlight: number;
  peakPerHost: number;
  /** PUTs per host. */
  putsByHost: Record<string, number>;
}

/** The XHR transport, counting the PUTs in flight per host. */
function countingTransport() {
  const xhr = createXhrTransport();
  const inFlight = new Map<string, number>();
  const counts = { peakInFlight: 0, peakPerHost: 0, putsByHost: {} as Record<string, number> };
  const transport: Transport = async (request) => {
    const host = new URL(request.url).host;
    inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
    counts.putsByHost[host] = (counts.putsByHost[host] ?? 0) + 1;
    counts.peakPerHost = Math.max(counts.peakPerHost, inFlight.get(host) ?? 0);
    counts.peakInFlight = Math.max(
      counts.peakInFlight,
      [...inFlight.values()].reduce((a, b) => a + b, 0),
    );
    try {
      return await xhr(request);
    } finally {
      inFlight.set(host, (inFlight.get(host) ?? 1) - 1);
    }
  };
  return { transport, counts };
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
  const counting = countingTransport();
  const upload = createUpload(file, {
    signer: createHttpSigner(options.signer),
    transport: counting.transport,
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
    return { ok: true, result, sha256: hash, statuses, maxBytes, backwards, retries, ...counting.counts };
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
      ...counting.counts,
    };
  }
};
