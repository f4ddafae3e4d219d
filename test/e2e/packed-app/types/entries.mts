// Type-checked with moduleResolution Node16 from an ES module: the "import" conditions (.d.ts).
// With skipLibCheck a declaration that fails to resolve silently becomes `any`: NotAny catches that.
import type { S3Uploader, useMultipartUpload } from 's3-multipart-uploader';
import type { createHttpSigner, createUpload, createXhrTransport } from 's3-multipart-uploader/engine';
import type { useRemoteResumableUploads } from 's3-multipart-uploader/query';
import type { createDefaultResumeStore, MemoryResumeStore } from 's3-multipart-uploader/store';

type NotAny<T> = 0 extends 1 & T ? 'any' : 'typed';

export const typed: Record<string, 'typed'> = {
  S3Uploader: '' as NotAny<typeof S3Uploader>,
  useMultipartUpload: '' as NotAny<typeof useMultipartUpload>,
  createUpload: '' as NotAny<typeof createUpload>,
  createHttpSigner: '' as NotAny<typeof createHttpSigner>,
  createXhrTransport: '' as NotAny<typeof createXhrTransport>,
  useRemoteResumableUploads: '' as NotAny<typeof useRemoteResumableUploads>,
  createDefaultResumeStore: '' as NotAny<typeof createDefaultResumeStore>,
  MemoryResumeStore: '' as NotAny<typeof MemoryResumeStore>,
};
