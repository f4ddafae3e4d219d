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
] as const;

export type ContenderId = (typeof CONTENDER_IDS)[number];

export interface ContenderSpec {
  id: ContenderId;
  label: string;
  /** Packages (as installed under bench/node_modules, or '.' for this repository) whose versions to report. */
  packages: string[];
  /** esbuild aliases for this contender's bundle (Uppy 5 must see @uppy/core 5). */
  alias?: Record<string, string>;
  /** How it signs, for the report. */
  signing: string;
  /** Its many-files page (bench/page/many/<id>.ts), if it has one: what it does there. */
  many?: { label: string; signing: string };
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
    label: 's3-multipart-uploader (defaults: integrity on)',
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
