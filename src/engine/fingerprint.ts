// Identity of a file's content for resuming, with Web Crypto (browsers and Node ≥ 20).

/** Bytes read from each of the start, middle and end of the file. */
export const FINGERPRINT_SAMPLE = 64 * 1024;

/** Bumped if the algorithm changes, so old fingerprints never match new ones. */
const ALGORITHM = 's3mu-fingerprint-v1';

export type FingerprintableFile = Blob & { name: string; lastModified: number };

/**
 * SHA-256 (hex) of the file's name, size, type and lastModified plus three 64 KiB samples of
 * its content (start, middle, end), so a different file with the same metadata never matches.
 * Reads at most 192 KiB whatever the size (a file up to 192 KiB is read once, whole).
 */
export async function fingerprintFile(file: FingerprintableFile): Promise<string> {
  const header = new TextEncoder().encode(
    `${JSON.stringify([ALGORITHM, file.name, file.size, file.type, file.lastModified])}\n`,
  );
  const chunks: Uint8Array[] = [header];
  for (const [start, end] of sampleRanges(file.size)) {
    chunks.push(new Uint8Array(await file.slice(start, end).arrayBuffer()));
  }
  const input = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    input.set(chunk, offset);
    offset += chunk.length;
  }
  const digest = await globalThis.crypto.subtle.digest('SHA-256', input);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Byte ranges [start, end) sampled for a file of `size` bytes. */
export function sampleRanges(size: number): Array<[number, number]> {
  if (size <= 3 * FINGERPRINT_SAMPLE) return [[0, size]];
  const middle = Math.floor(size / 2) - FINGERPRINT_SAMPLE / 2;
  return [
    [0, FINGERPRINT_SAMPLE],
    [middle, middle + FINGERPRINT_SAMPLE],
    [size - FINGERPRINT_SAMPLE, size],
  ];
}
