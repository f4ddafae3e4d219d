// Worker entry: hashes Blobs posted to it. A Blob crosses postMessage by reference, not by copy.
import { md5Base64 } from './md5';

interface HashRequest {
  id: number;
  blob: Blob;
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<HashRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async (event) => {
  const { id, blob } = event.data;
  try {
    scope.postMessage({ id, md5: await md5Base64(blob) });
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
