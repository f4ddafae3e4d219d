// The files contenders upload: random bytes on disk (a real user's File is disk-backed too),
// each with its SHA-256 computed while writing.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TestFile {
  path: string;
  size: number;
  sha256: string;
}

export async function makeTestFile(dir: string, size: number): Promise<TestFile> {
  const path = join(dir, `upload-${size}.bin`);
  const hash = createHash('sha256');
  const handle = await open(path, 'w');
  try {
    const chunk = 4 * 1024 * 1024;
    for (let written = 0; written < size; written += chunk) {
      const bytes = randomBytes(Math.min(chunk, size - written));
      hash.update(bytes);
      await handle.write(bytes);
    }
  } finally {
    await handle.close();
  }
  return { path, size, sha256: hash.digest('hex') };
}

/** `count` different files of `size` random bytes in `dir` (names sort in creation order). */
export async function makeTestFiles(dir: string, count: number, size: number): Promise<TestFile[]> {
  await mkdir(dir, { recursive: true });
  const files: TestFile[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `small-${String(i + 1).padStart(5, '0')}.bin`);
    const bytes = randomBytes(size);
    await writeFile(path, bytes);
    files.push({ path, size, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return files;
}
