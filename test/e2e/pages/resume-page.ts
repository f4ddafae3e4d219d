// A page driving the engine's resumable session (no React) for browser tests: window.begin(...)
// uploads a file generated from a seed (the reloaded page regenerates the very same bytes, name
// and date, hence the same fingerprint) through the default IndexedDB store and Web Locks, and
// reports in window.run what happened, including the PUTs this page sent.
import {
  browserNetworkStatus,
  createHttpSigner,
  createResumableSession,
  createXhrTransport,
  type Transport,
} from '../../../src/engine/index';
import { createDefaultResumeStore } from '../../../src/engine/store/index';

interface BeginOptions {
  signer: string;
  seed: number;
  size: number;
  name: string;
  partSize: number;
  concurrency: number;
}

interface RunState {
  status: string;
  partsCompleted: number;
  partsTotal: number;
  bytesUploaded: number;
  lockedElsewhere: boolean;
  sawLockedElsewhere: boolean;
  resumed: boolean;
  notice: string | null;
  /** PUTs this page sent (every attempt). */
  puts: number;
  result?: { key: string; size: number; partCount: number };
  error?: { code: string; message: string };
  sha256?: string;
  /** Records left in the store after the upload settled. */
  records?: number;
}

declare global {
  interface Window {
    begin(options: BeginOptions): void;
    run?: RunState;
  }
}

/** xorshift32 words: the same seed gives the same bytes in every page. */
function generate(seed: number, size: number): File {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i += 1) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return new File([new Uint8Array(words.buffer, 0, size)], `seed-${seed}.bin`, {
    type: 'application/octet-stream',
    lastModified: 1_700_000_000_000 + seed,
  });
}

async function sha256(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

window.begin = (options) => {
  const store = createDefaultResumeStore();
  const file = new File([generate(options.seed, options.size)], options.name, {
    type: 'application/octet-stream',
    lastModified: 1_700_000_000_000 + options.seed,
  });
  const xhr = createXhrTransport();
  const run: RunState = {
    status: 'idle',
    partsCompleted: 0,
    partsTotal: 0,
    bytesUploaded: 0,
    lockedElsewhere: false,
    sawLockedElsewhere: false,
    resumed: false,
    notice: null,
    puts: 0,
  };
  window.run = run;
  const transport: Transport = (request) => {
    run.puts += 1;
    return xhr(request);
  };
  const session = createResumableSession({
    file,
    upload: {
      signer: createHttpSigner(options.signer),
      transport,
      network: browserNetworkStatus(),
      partSize: options.partSize,
      concurrency: options.concurrency,
      stallTimeoutMs: 20_000,
    },
    resume: { store, signerId: options.signer },
  });
  session.subscribe(() => {
    const state = session.getState();
    Object.assign(run, {
      status: state.status,
      partsCompleted: state.partsCompleted,
      partsTotal: state.partsTotal,
      bytesUploaded: state.bytesUploaded,
      lockedElsewhere: state.lockedElsewhere,
      sawLockedElsewhere: run.sawLockedElsewhere || state.lockedElsewhere,
      resumed: state.resumed,
      notice: state.notice,
    });
  });
  session.start().then(
    async (result) => {
      run.result = { key: result.key, size: result.size, partCount: result.partCount };
      run.sha256 = await sha256(file);
      // The record goes just after completion (before the lock): wait for it.
      for (let i = 0; i < 50 && (await store.list()).length > 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      run.records = (await store.list()).length;
      run.status = 'done';
    },
    (error: { code: string; message: string }) => {
      run.error = { code: error.code, message: error.message };
      run.status = 'failed';
    },
  );
};
