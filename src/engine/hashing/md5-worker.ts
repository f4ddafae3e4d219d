// Worker entry: hashes Blobs posted to it, one at a time (the hasher never sends a second blob
// before the first answer). A Blob crosses postMessage by reference, not by copy.
import { md5Base64 } from './md5';

interface HashRequest {
  blob: Blob;
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<HashRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async (event) => {
  try {
    scope.postMessage({ md5: await md5Base64(event.data.blob) });
  } catch (error) {
    scope.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
