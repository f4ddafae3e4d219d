// Where and with what the numbers were measured.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { CONTENDERS, type ContenderId } from './contenders';

const BENCH_DIR = new URL('..', import.meta.url).pathname;
const REPO_DIR = new URL('../..', import.meta.url).pathname;

function packageVersion(name: string): string {
  const dir = name === '.' ? REPO_DIR : `${BENCH_DIR}node_modules/${name}/`;
  try {
    const pkg = JSON.parse(readFileSync(`${dir}package.json`, 'utf8')) as { name: string; version: string };
    return name === '.' ? `${pkg.version} (${gitRevision()})` : pkg.version;
  } catch {
    return 'unknown';
  }
}

function gitRevision(): string {
  try {
    const head = execFileSync('git', ['-C', REPO_DIR, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['-C', REPO_DIR, 'status', '--porcelain', '--', 'src'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head} + uncommitted src/ changes` : head;
  } catch {
    return 'no git';
  }
}

/** Display name of an installed package (npm aliases resolved to the real name). */
function realName(name: string): string {
  if (name === '.') return 's3-multipart-uploader';
  try {
    return (
      JSON.parse(readFileSync(`${BENCH_DIR}node_modules/${name}/package.json`, 'utf8')) as { name: string }
    ).name;
  } catch {
    return name;
  }
}

export function contenderVersions(ids: readonly ContenderId[]): Map<ContenderId, Record<string, string>> {
  return new Map(
    ids.map((id) => [
      id,
      Object.fromEntries(CONTENDERS[id].packages.map((p) => [realName(p), packageVersion(p)])),
    ]),
  );
}

export function machineInfo(chromiumVersion: string): Record<string, string> {
  return {
    cpus: `${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'unknown'}`,
    ram: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    chromium: chromiumVersion,
    node: process.version,
    kernel: (() => {
      try {
        return execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
      } catch {
        return 'unknown';
      }
    })(),
  };
}
