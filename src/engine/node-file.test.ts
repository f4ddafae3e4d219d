import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileAsBlob } from './node-file';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3mu-node-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openFileAsBlob', () => {
  it('describes the file like a browser File and reads slices from disk', async () => {
    const path = join(dir, 'photo.jpg');
    const bytes = randomBytes(300_000);
    await writeFile(path, bytes);
    await utimes(path, 1_700_000_000, 1_700_000_000);
    const file = await openFileAsBlob(path, { type: 'image/jpeg' });
    expect(file).toBeInstanceOf(Blob);
    expect(file).toMatchObject({
      name: 'photo.jpg',
      size: 300_000,
      type: 'image/jpeg',
      lastModified: 1_700_000_000_000,
    });
    const slice = Buffer.from(await file.slice(100_000, 200_000).arrayBuffer());
    expect(slice.equals(bytes.subarray(100_000, 200_000))).toBe(true);
  });

  it('takes a name override and defaults the type to empty', async () => {
    const path = join(dir, 'a.bin');
    await writeFile(path, 'abc');
    const file = await openFileAsBlob(path, { name: 'report.bin' });
    expect(file.name).toBe('report.bin');
    expect(file.type).toBe('');
  });

  it('refuses to read a file changed on disk after it was opened', async () => {
    const path = join(dir, 'changing.bin');
    await writeFile(path, 'first version');
    const file = await openFileAsBlob(path);
    await writeFile(path, 'second version, longer');
    await expect(file.text()).rejects.toThrow();
  });
});
