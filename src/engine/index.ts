// s3-multipart-uploader/engine: the framework-free upload engine (no React, no DOM outside
// the XHR transport and the network-status edge).

export { type BackoffOptions, backoffDelay, RetryBudget } from './backoff';
export { classifyPutResponse, type PutOutcome, type RetryCause } from './classify';
export { systemClock } from './clock';
export { ConcurrencyPool, sharedPool } from './concurrency-pool';
export { isUploadError, UploadError, type UploadErrorCode } from './errors';
export {
  acceptToPickerTypes,
  type FileHandleLike,
  handlesFromDrop,
  isAutomatedBrowser,
  isFileHandle,
  matchesRecord,
  type PickedFile,
  pickFilesWithHandles,
  type ReopenResult,
  reopenRecordedFile,
  supportsFileSystemAccess,
} from './file-handles';
export { type FingerprintableFile, fingerprintFile } from './fingerprint';
export { createHttpSigner, type HttpSignerOptions } from './http-signer';
export { GiB, MiB, maxObjectSize, type PartLimits, S3_LIMITS } from './limits';
export { alwaysOnline, browserNetworkStatus } from './network-status';
export { onPageHidden } from './page-lifecycle';
export { type PartPlan, type PartRange, partRange, planParts } from './plan-parts';
export {
  type DiscardOptions,
  discardUpload,
  type ResumableUploadInfo,
  type ResumableUploadsSnapshot,
  ResumableUploadsWatcher,
  type ResumableUploadsWatcherOptions,
} from './resumable-list';
export {
  createResumableSession,
  ResumableSession,
  type ResumableSessionOptions,
  type SessionResumeOptions,
  type SessionState,
} from './resumable-session';
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
export {
  notifyResumableUploadsChanged,
  onResumableUploadsChanged,
  type ResumableUploadsChange,
} from './resume-events';
export { MemoryResumeStore } from './store/memory-store';
export type { ResumeStore, StoredPart, UploadRecord } from './store/types';
export { createFetchTransport, type FetchTransportOptions } from './transport-fetch';
export { createXhrTransport } from './transport-xhr';
export * from './types';
export { createUpload, type ResumePoint, Upload, type UploadFile, type UploadOptions } from './upload';
export {
  acquireUploadLock,
  announceUploadCompleted,
  browserUploadLocks,
  createInMemoryUploadLocks,
  createUploadLocks,
  heldUploadLocks,
  type LockManagerLike,
  onUploadCompletedElsewhere,
  type StorageLike,
  UPLOAD_LOCK_PREFIX,
  type UploadLock,
  type UploadLockEnvironment,
  type UploadLockMechanism,
  type UploadLockOptions,
  type UploadLocks,
  uploadLockName,
  waitForUploadLock,
} from './upload-lock';
export type { UploadEvent, UploadListener, UploadResult, UploadState, UploadStatus } from './upload-state';
