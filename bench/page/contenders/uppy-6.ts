// @uppy/core + @uppy/aws-s3 6.x with its `signRequest` mode: every S3 request (create, each part,
// complete) is presigned by the bench's auxiliary signer. Uppy 6 sends one part at a time per file.
import AwsS3 from '@uppy/aws-s3';
import Uppy from '@uppy/core';
import { fileType, presignViaAux } from '../signer-api';
import type { Contender } from '../types';

const uppy6: Contender = async (file, { auxUrl, key, partSize, concurrency }) => {
  const uppy = new Uppy({ autoProceed: false });
  uppy.use(AwsS3, {
    shouldUseMultipart: true,
    limit: concurrency,
    getChunkSize: () => partSize,
    generateObjectKey: () => key,
    signRequest: presignViaAux(auxUrl),
  });
  uppy.addFile({ name: file.name, type: fileType(file), data: file });
  const result = await uppy.upload();
  const failed = result?.failed?.[0];
  if (!result || failed || result.successful?.length !== 1)
    throw new Error(`Uppy 6: ${failed?.error ?? 'upload did not succeed'}`);
  uppy.destroy();
  return { key };
};

export default uppy6;
