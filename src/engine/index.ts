// s3-multipart-uploader/engine: the framework-free upload engine (no React, no DOM outside
// the XHR transport and the network-status edge).

export { type BackoffOptions, backoffDelay, RetryBudget } from './backoff';
export { classifyPutResponse, type PutOutcome, type RetryCause } from './classify';
export { systemClock } from './clock';
export { ConcurrencyPool, sharedPool } from './concurrency-pool';
export { isUploadError, UploadError, type UploadErrorCode } from './errors';
export { type FingerprintableFile, fingerprintFile } from './fingerprint';
export { createHttpSigner, type HttpSignerOptions } from './http-signer';
export { GiB, MiB, maxObjectSize, type PartLimits, S3_LIMITS } from './limits';
export { alwaysOnline, browserNetworkStatus } from './network-status';
export { type PartPlan, type PartRange, partRange, planParts } from './plan-parts';
export {
  DEFAULT_RESUME_TTL_MS,
  discardResumableUpload,
  listResumableUploads,
  type PersistUploadOptions,
  type PreparedResume,
  type PrepareResumeOptions,
  persistUpload,
  prepareResume,
  type ResumableUpload,
  type UploadPersistence,
} from './resume';
export { MemoryResumeStore } from './store/memory-store';
export type { ResumeStore, StoredPart, UploadRecord } from './store/types';
export { createFetchTransport, type FetchTransportOptions } from './transport-fetch';
export { createXhrTransport } from './transport-xhr';
export * from './types';
export { createUpload, type ResumePoint, Upload, type UploadFile, type UploadOptions } from './upload';
export type { UploadEvent, UploadListener, UploadResult, UploadState, UploadStatus } from './upload-state';
