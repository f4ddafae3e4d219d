import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../test/support/fake-s3';
import { FINGERPRINT_SAMPLE, type FingerprintableFile, fingerprintFile, sampleRanges } from './fingerprint';

const KiB = 1024;
const MODIFIED = 1_690_000_000_000;

function fileOf(
  bytes: Uint8Array<ArrayBuffer>,
  name = 'data.bin',
  lastModified = MODIFIED,
  type = 'application/octet-stream',
) {
  return new File([bytes], name, { type, lastModified });
}

function withByteChanged(bytes: Uint8Array<ArrayBuffer>, index: number): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  copy[index] = ((copy[index] ?? 0) + 1) & 0xff;
  return copy;
}

/** A file that counts the bytes read through slice(); content is generated, never held whole. */
function countingFile(size: number, name = 'huge.bin'): FingerprintableFile & { bytesRead: number } {
  const file = {
    size,
    name,
    type: '',
    lastModified: MODIFIED,
    bytesRead: 0,
    slice(start = 0, end = size) {
      const length = Math.max(0, Math.min(end, size) - start);
      file.bytesRead += length;
      return new Blob([randomBytes(length, start + 1)]);
    },
  };
  return file as unknown as FingerprintableFile & { bytesRead: number };
}

describe('fingerprintFile', () => {
  const big = randomBytes(1024 * KiB + 3, 7);

  it('is a stable SHA-256 hex for the same content and metadata', async () => {
    const a = await fingerprintFile(fileOf(big));
    const b = await fingerprintFile(fileOf(big.slice()));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });

  it.each([
    ['start', 0],
    ['middle', Math.floor(big.length / 2)],
    ['end', big.length - 1],
  ])('changes when one byte at the %s changes', async (_where, index) => {
    const original = await fingerprintFile(fileOf(big));
    expect(await fingerprintFile(fileOf(withByteChanged(big, index)))).not.toBe(original);
  });

  it('changes with any byte of a small file (read whole)', async () => {
    const small = randomBytes(100 * KiB, 3);
    const original = await fingerprintFile(fileOf(small));
    for (const index of [0, 40 * KiB, 70 * KiB, small.length - 1]) {
      expect(await fingerprintFile(fileOf(withByteChanged(small, index)))).not.toBe(original);
    }
  });

  it('changes with the name, lastModified or type for the same bytes', async () => {
    const original = await fingerprintFile(fileOf(big));
    expect(await fingerprintFile(fileOf(big, 'other.bin'))).not.toBe(original);
    expect(await fingerprintFile(fileOf(big, 'data.bin', MODIFIED + 1))).not.toBe(original);
    expect(await fingerprintFile(fileOf(big, 'data.bin', MODIFIED, 'text/plain'))).not.toBe(original);
  });

  it('fingerprints an empty file', async () => {
    expect(await fingerprintFile(fileOf(new Uint8Array(0)))).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([0, 1, 3 * FINGERPRINT_SAMPLE, 3 * FINGERPRINT_SAMPLE + 1, 10 * 1024 * KiB, 5 * 1024 ** 4])(
    'reads at most 192 KiB of a %i-byte file',
    async (size) => {
      const file = countingFile(size);
      await fingerprintFile(file);
      expect(file.bytesRead).toBeLessThanOrEqual(192 * KiB);
      expect(file.bytesRead).toBe(Math.min(size, 192 * KiB));
    },
  );

  it('samples the start, the middle and the end of a large file', () => {
    const size = 10 * 1024 * KiB;
    expect(sampleRanges(size)).toEqual([
      [0, FINGERPRINT_SAMPLE],
      [size / 2 - FINGERPRINT_SAMPLE / 2, size / 2 + FINGERPRINT_SAMPLE / 2],
      [size - FINGERPRINT_SAMPLE, size],
    ]);
  });
});
