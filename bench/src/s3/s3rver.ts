// s3rver (a loose S3 mock) on 127.0.0.1 with the bench bucket and its CORS rules.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { Cleanup } from '../cleanup';
import { BENCH_BUCKET, CORS_RULE, type S3Target } from './target';

function corsXml(): string {
  const tags = (name: string, values: string[]) => values.map((v) => `<${name}>${v}</${name}>`).join('');
  return (
    '<CORSConfiguration><CORSRule>' +
    tags('AllowedOrigin', CORS_RULE.AllowedOrigins) +
    tags('AllowedMethod', CORS_RULE.AllowedMethods) +
    tags('AllowedHeader', CORS_RULE.AllowedHeaders) +
    tags('ExposeHeader', CORS_RULE.ExposeHeaders) +
    `<MaxAgeSeconds>${CORS_RULE.MaxAgeSeconds}</MaxAgeSeconds>` +
    '</CORSRule></CORSConfiguration>'
  );
}

export async function startS3rver(cleanup: Cleanup): Promise<S3Target> {
  const directory = await mkdtemp(join(tmpdir(), 'bench-s3rver-'));
  cleanup.add('s3rver data', () => rm(directory, { recursive: true, force: true }));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: BENCH_BUCKET, configs: [corsXml()] }],
  });
  const address = await server.run();
  cleanup.add('s3rver', () => server.close());
  return {
    id: 's3rver',
    description: 's3rver 3.7.1 (file system, loopback)',
    endpoint: `http://127.0.0.1:${address.port}`,
    region: 'us-east-1',
    bucket: BENCH_BUCKET,
    // s3rver's fixed test credentials (it checks only the access key id).
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    listsUploads: false,
  };
}
