import type { PartHasher } from './types';

// What S3's ETag should be for bytes we hashed: the MD5 (hex) for a single PUT, and for a
// multipart upload the MD5 of the concatenated binary part MD5s, then "-" and the part count.
// Stores that encrypt with SSE-KMS/SSE-C, and some mocks, use other ETags: those are reported as
// unverifiable rather than mismatched.

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function expectedEtag(
  partMd5s: readonly string[],
  multipart: boolean,
  hasher: PartHasher,
): Promise<string> {
  if (!multipart) return toHex(base64ToBytes(partMd5s[0] ?? ''));
  const joined = new Uint8Array(partMd5s.length * 16);
  for (const [i, md5] of partMd5s.entries()) joined.set(base64ToBytes(md5), i * 16);
  return `${toHex(base64ToBytes(await hasher(new Blob([joined]))))}-${partMd5s.length}`;
}

export type EtagCheck = 'verified' | 'mismatch' | 'unverifiable';

/** Compares the store's ETag with the expected one; an ETag of another shape is unverifiable. */
export function checkEtag(actual: string, expected: string): EtagCheck {
  const etag = actual.replace(/"/g, '').trim().toLowerCase();
  if (etag === expected) return 'verified';
  const sameShape = expected.includes('-') ? /^[0-9a-f]{32}-\d+$/.test(etag) : /^[0-9a-f]{32}$/.test(etag);
  return sameShape ? 'mismatch' : 'unverifiable';
}
