// The read-back check after a run: every stored object must have its file's size and SHA-256.
// Each object is deleted once read (RGW memstore holds them in RAM).
import type { TestFile } from './files';
import { deleteObject, readBack, s3ClientFor } from './s3/admin';
import type { S3Target } from './s3/target';

/** Objects read back at once: enough to keep RGW busy, few enough not to swamp a 2-core machine. */
const READ_BACK_CONCURRENCY = 8;

export type Verdict = { ok: true } | { ok: false; error: string };

async function checkOne(
  target: S3Target,
  admin: ReturnType<typeof s3ClientFor>,
  file: TestFile,
  key: string,
): Promise<string | null> {
  try {
    const back = await readBack(admin, target.bucket, key);
    await deleteObject(admin, target.bucket, key).catch(() => {});
    if (back.size === file.size && back.sha256 === file.sha256) return null;
    return `object ${key} read back differs (${back.size} bytes, sha256 ${back.sha256.slice(0, 12)}…)`;
  } catch (error) {
    return `read-back of ${key} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Reads back `keys[i]` for `files[i]`, all of them; the first difference fails the run. */
export async function verifyObjects(
  target: S3Target,
  files: readonly TestFile[],
  keys: readonly string[],
): Promise<Verdict> {
  if (keys.length !== files.length)
    return { ok: false, error: `${keys.length} objects reported for ${files.length} files` };
  if (new Set(keys).size !== keys.length) return { ok: false, error: 'two files reported the same key' };
  const admin = s3ClientFor(target);
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      const problem = await checkOne(target, admin, files[index] as TestFile, keys[index] as string);
      if (problem) problems.push(problem);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(READ_BACK_CONCURRENCY, files.length) }, worker));
  } finally {
    admin.destroy();
  }
  if (!problems.length) return { ok: true };
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return { ok: false, error: `${problems[0]}${more}` };
}
