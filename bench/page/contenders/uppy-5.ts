// @uppy/core + @uppy/aws-s3 5.x with the custom-signer callbacks, signing through the reference
// signer (one sign call per part, as Uppy 5's signPart asks). `limit` caps Uppy 5's requests in flight.
import type { Body, Meta } from '@uppy/utils';
import AwsS3, { type AwsS3Options } from 'uppy-aws-s3-5';
import Uppy from 'uppy-core-5';
import { completeMultipart, createMultipart, fileType, signParts } from '../signer-api';
import type { Contender } from '../types';

/** uppy-aws-s3-5's types name '@uppy/core' (6 here); its bundle is aliased to uppy-core-5. */
type PluginHost = { use(plugin: unknown, options: unknown): void };

const uppy5: Contender = async (file, { signerUrl, partSize, concurrency }) => {
  let key = '';
  const options: AwsS3Options<Meta, Body> = {
    shouldUseMultipart: true,
    limit: concurrency,
    getChunkSize: () => partSize,
    async createMultipartUpload() {
      const created = await createMultipart(signerUrl, file, partSize);
      key = created.key;
      return created;
    },
    async signPart(_file, { uploadId, key: partKey, partNumber, body }) {
      const [signed] = await signParts(signerUrl, { key: partKey, uploadId }, [
        { partNumber, contentLength: body.size },
      ]);
      if (!signed) throw new Error(`part ${partNumber} was not signed`);
      return { method: 'PUT', url: signed.url, headers: signed.headers ?? {} };
    },
    async completeMultipartUpload(_file, { uploadId, key: doneKey, parts }) {
      await completeMultipart(
        signerUrl,
        { key: doneKey, uploadId },
        parts.map((p) => ({ partNumber: p.PartNumber ?? 0, etag: p.ETag ?? '' })),
      );
      return {};
    },
    listParts: () => [],
    abortMultipartUpload: () => {},
  };
  const uppy = new Uppy({ autoProceed: false });
  (uppy as unknown as PluginHost).use(AwsS3, options);
  uppy.addFile({ name: file.name, type: fileType(file), data: file });
  const result = await uppy.upload();
  const failed = result?.failed?.[0];
  if (!result || failed || result.successful?.length !== 1)
    throw new Error(`Uppy 5: ${failed?.error ?? 'upload did not succeed'}`);
  uppy.destroy();
  return { key };
};

export default uppy5;
