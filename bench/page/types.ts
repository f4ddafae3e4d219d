// What the Node side hands to a contender running in the page, and what comes back.

/** The S3 the browser talks to (possibly through the long-fat-link proxy). */
export interface S3Access {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RunInput {
  /** Reference signer base URL (docs/protocol.md), e.g. http://127.0.0.1:1234/api/uploads */
  signerUrl: string;
  /** The bench's auxiliary signer: POST /presign (Uppy 6), GET /evaporate/sign (EvaporateJS). */
  auxUrl: string;
  /** Only lib-storage uses the credentials (bench-only test credentials, bound to 127.0.0.1). */
  s3: S3Access;
  /**
   * Object key for contenders that choose their own key (the reference signer chooses its own).
   * With many files, a prefix: each file goes to `${key}/${file.name}`.
   */
  key: string;
  partSize: number;
  concurrency: number;
}

export interface RunOutput {
  /** Where the object was stored, to read it back. */
  key: string;
}

/** One uploader: uploads `file` and resolves once S3 holds the complete object. */
export type Contender = (file: File, input: RunInput) => Promise<RunOutput>;

/** An uploader of many files: resolves once S3 holds every one; `keys` in the order of `files`. */
export type ManyContender = (files: File[], input: RunInput) => Promise<{ keys: string[] }>;

export interface LongTasks {
  count: number;
  totalMs: number;
  longestMs: number;
  /** Each task: start (ms after the upload started) and duration. */
  tasks: { at: number; ms: number }[];
}

/** `keys`: where each selected file was stored, in selection order. */
export type PageResult =
  | { ok: true; keys: string[]; ms: number; longTasks: LongTasks }
  | { ok: false; error: string; ms: number; longTasks: LongTasks };
