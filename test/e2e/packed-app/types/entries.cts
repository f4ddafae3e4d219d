// Type-checked with moduleResolution Node16 from a CommonJS module: the "require" conditions (.d.cts).
// With skipLibCheck a declaration that fails to resolve silently becomes `any`: NotAny catches that.
import root = require('s3-multipart-uploader');
import engine = require('s3-multipart-uploader/engine');
import query = require('s3-multipart-uploader/query');
import store = require('s3-multipart-uploader/store');

type NotAny<T> = 0 extends 1 & T ? 'any' : 'typed';

export const typed: Record<string, 'typed'> = {
  S3Uploader: '' as NotAny<typeof root.S3Uploader>,
  useMultipartUpload: '' as NotAny<typeof root.useMultipartUpload>,
  createUpload: '' as NotAny<typeof engine.createUpload>,
  createHttpSigner: '' as NotAny<typeof engine.createHttpSigner>,
  createXhrTransport: '' as NotAny<typeof engine.createXhrTransport>,
  useRemoteResumableUploads: '' as NotAny<typeof query.useRemoteResumableUploads>,
  createDefaultResumeStore: '' as NotAny<typeof store.createDefaultResumeStore>,
  MemoryResumeStore: '' as NotAny<typeof store.MemoryResumeStore>,
};
