import type { TargetId } from '../config';

/** An S3 the bench uploads to, as reached directly (the browser may go through a proxy). */
export interface S3Target {
  id: TargetId;
  /** e.g. "Ceph RGW 16.2.15" */
  description: string;
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** ListMultipartUploads/AbortMultipartUpload work (not on s3rver). */
  listsUploads: boolean;
  /**
   * Frees the space of deleted objects now. RGW's garbage collector otherwise waits two hours, and
   * with memstore the data of every deleted 256 MiB object would stay in RAM until then.
   */
  reclaim?(): Promise<void>;
}

/** The bucket every contender writes to: lib-storage, Uppy 6 and EvaporateJS also POST and DELETE. */
export const BENCH_BUCKET = 'bench';

export const CORS_RULE = {
  AllowedOrigins: ['*'],
  AllowedMethods: ['PUT', 'POST', 'GET', 'HEAD', 'DELETE'],
  AllowedHeaders: ['*'],
  ExposeHeaders: ['ETag'],
  MaxAgeSeconds: 3000,
};
