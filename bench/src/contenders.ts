// The uploaders compared, in the order they run within a repetition (rotated per repetition).
// Each has a page module in bench/page/contenders/<id>.ts.

export const CONTENDER_IDS = [
  'single-put',
  'reference',
  'ours',
  'ours-no-integrity',
  'uppy-6',
  'uppy-5',
  'lib-storage',
  'evaporate',
  'ours-auto',
  'ours-fixed-2',
  'ours-fixed-6',
  'ours-auto-2-hosts',
] as const;

export type ContenderId = (typeof CONTENDER_IDS)[number];

/** Settings of this library compared among themselves: only in scenarios that list them. */
export const VARIANT_IDS: readonly ContenderId[] = [
  'ours-auto',
  'ours-fixed-2',
  'ours-fixed-6',
  'ours-auto-2-hosts',
];

export interface ContenderSpec {
  id: ContenderId;
  label: string;
  /** Packages (as installed under bench/node_modules, or '.' for this repository) whose versions to report. */
  packages: string[];
  /** esbuild aliases for this contender's bundle (Uppy 5 must see @uppy/core 5). */
  alias?: Record<string, string>;
  /** How it signs, for the report. */
  signing: string;
  /**
   * Parts it keeps in flight on one file when that is not the bench's concurrency (the settings
   * variants): the slots of its NetLog timeline.
   */
  partsInFlight?: number;
  /** Its many-files page (bench/page/many/<id>.ts), if it has one: what it does there. */
  many?: { label: string; signing: string };
  /**
   * S3 hostnames its part URLs alternate between (default 1): more than one, and the stack starts
   * further S3 hosts (another pacing proxy to the same S3 on the long-fat link) and a reference
   * signer of its own with `partEndpoints` (stack.ts).
   */
  s3Hosts?: number;
}

export const CONTENDERS: Record<ContenderId, ContenderSpec> = {
  'single-put': {
    id: 'single-put',
    label: 'one presigned PUT',
    packages: [],
    signing: 'reference signer /single',
  },
  reference: {
    id: 'reference',
    label: 'hand-written parallel multipart (reference)',
    packages: [],
    signing: 'reference signer, all parts presigned up front',
    many: {
      label: 'hand-written single PUTs, 6 in parallel (reference)',
      signing: 'reference signer /single, one call per file',
    },
  },
  ours: {
    id: 'ours',
    label: 's3-multipart-uploader, integrity on (the default)',
    packages: ['.'],
    signing: 'reference signer, just-in-time batches of 8, Content-MD5 bound',
    many: {
      label: 's3-multipart-uploader queue (defaults: integrity on)',
      signing: 'reference signer /single per file, Content-MD5 bound',
    },
  },
  'ours-no-integrity': {
    id: 'ours-no-integrity',
    label: 's3-multipart-uploader, integrity: false',
    packages: ['.'],
    signing: 'reference signer, just-in-time batches of 8',
    many: {
      label: 's3-multipart-uploader queue, integrity: false',
      signing: 'reference signer /single per file',
    },
  },
  'uppy-6': {
    id: 'uppy-6',
    label: '@uppy/aws-s3 6',
    packages: ['@uppy/aws-s3', '@uppy/core'],
    signing: 'signRequest → bench presigner, one call per S3 request',
    many: { label: '@uppy/aws-s3 6', signing: 'signRequest → bench presigner, one call per file' },
  },
  'uppy-5': {
    id: 'uppy-5',
    label: '@uppy/aws-s3 5',
    packages: ['uppy-aws-s3-5', 'uppy-core-5'],
    alias: { '@uppy/core': 'uppy-core-5' },
    signing: 'reference signer, one sign call per part',
    many: { label: '@uppy/aws-s3 5', signing: 'getUploadParameters → reference signer /single per file' },
  },
  'lib-storage': {
    id: 'lib-storage',
    label: '@aws-sdk/lib-storage',
    packages: ['@aws-sdk/lib-storage', '@aws-sdk/client-s3'],
    signing: 'SigV4 in the page (test credentials)',
  },
  'ours-auto': {
    id: 'ours-auto',
    label: "s3-multipart-uploader, integrity: false, concurrency 'auto' (default)",
    packages: ['.'],
    signing: 'reference signer, just-in-time batches',
    partsInFlight: 6,
  },
  'ours-fixed-2': {
    id: 'ours-fixed-2',
    label: 's3-multipart-uploader, integrity: false, concurrency 2',
    packages: ['.'],
    signing: 'reference signer, just-in-time batches of 4',
    partsInFlight: 2,
  },
  'ours-fixed-6': {
    id: 'ours-fixed-6',
    label: 's3-multipart-uploader, integrity: false, concurrency 6',
    packages: ['.'],
    signing: 'reference signer, just-in-time batches of 12',
    partsInFlight: 6,
  },
  'ours-auto-2-hosts': {
    id: 'ours-auto-2-hosts',
    label: "s3-multipart-uploader, integrity: false, concurrency 'auto', parts over 2 S3 hostnames",
    packages: ['.'],
    signing: 'a reference signer of its own with partEndpoints: part URLs alternate between 2 S3 hosts',
    s3Hosts: 2,
    partsInFlight: 12,
  },
  evaporate: {
    id: 'evaporate',
    label: 'EvaporateJS',
    packages: ['evaporate', 'spark-md5', 'js-sha256'],
    signing: 'bench signer endpoint, one GET per S3 request',
  },
};

/** Contenders with a many-files page. */
export const MANY_FILE_CONTENDERS = CONTENDER_IDS.filter((id) => CONTENDERS[id].many);

/** The page (and bundle) name of a contender: its many-files page for a many-files scenario. */
export function pageName(id: ContenderId, manyFiles: boolean): string {
  return manyFiles ? `${id}-many` : id;
}
