import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from '../../../test/support/fake-s3';

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

describe('md5Base64', () => {
  afterEach(() => {
    vi.doUnmock('hash-wasm');
    vi.resetModules();
  });

  it('gives every one of many concurrent calls the digest of its own blob', async () => {
    const { md5Base64 } = await import('./md5');
    await md5Base64(new Blob([randomBytes(1000, 39)])); // leaves an idle hasher to be taken
    const blobs = Array.from({ length: 8 }, (_, i) => randomBytes(1_500_000 + i * 1000, 40 + i));
    const digests = await Promise.all(blobs.map((data) => md5Base64(new Blob([data]))));
    expect(digests).toEqual(blobs.map(md5));
  });

  it('reuses a hasher once its digest is done instead of instantiating WebAssembly per part', async () => {
    const real = await vi.importActual<typeof import('hash-wasm')>('hash-wasm');
    const createMD5 = vi.fn(real.createMD5);
    vi.doMock('hash-wasm', () => ({ createMD5 }));
    const { md5Base64 } = await import('./md5');
    for (let i = 0; i < 5; i += 1) {
      const data = randomBytes(200_000, 60 + i);
      expect(await md5Base64(new Blob([data]))).toBe(md5(data));
    }
    expect(createMD5).toHaveBeenCalledTimes(1);
    await Promise.all([1, 2, 3].map((i) => md5Base64(new Blob([randomBytes(100_000, i)]))));
    expect(createMD5).toHaveBeenCalledTimes(3);
  });
});
