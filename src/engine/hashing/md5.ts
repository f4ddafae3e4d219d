import { createMD5 } from 'hash-wasm';
import { readBlobChunks } from './read-blob';

// MD5 of a Blob, read in chunks (read-blob.ts), so no part is ever copied whole into memory.
// hash-wasm (WebAssembly) runs at ~450 MB/s here, 3x pure JS.

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

type Md5 = Awaited<ReturnType<typeof createMD5>>;

/**
 * Hashers not in use. Each createMD5() is a new WebAssembly instance with its own memory: one per
 * part left ~30 MiB of garbage per worker in a 256 MiB upload. A hasher serves one digest at a
 * time, so concurrent calls (in-process hashing, without workers) each take their own.
 */
const idle: Md5[] = [];

/** Base64 MD5 of `blob` (the form S3's Content-MD5 header takes). */
export async function md5Base64(blob: Blob): Promise<string> {
  const hasher = idle.pop() ?? (await createMD5());
  try {
    hasher.init();
    await readBlobChunks(blob, (bytes) => hasher.update(bytes));
    return toBase64(hasher.digest('binary'));
  } finally {
    idle.push(hasher);
  }
}
