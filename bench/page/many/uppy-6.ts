// @uppy/core + @uppy/aws-s3 6 with every file added at once and its defaults for small files:
// one PUT per file (multipart only over 100 MiB), `limit` 6, each PUT presigned through
// `signRequest` by the bench's presigner.
import AwsS3 from '@uppy/aws-s3';
import Uppy from '@uppy/core';
import { fileType, presignViaAux } from '../signer-api';
import type { ManyContender } from '../types';

const uppy6Many: ManyContender = async (files, { auxUrl, key: prefix }) => {
  const uppy = new Uppy({ autoProceed: false });
  uppy.use(AwsS3, {
    generateObjectKey: (file) => `${prefix}/${file.name}`,
    signRequest: presignViaAux(auxUrl),
  });
  uppy.addFiles(files.map((file) => ({ name: file.name, type: fileType(file), data: file })));
  const result = await uppy.upload();
  const failed = result?.failed?.[0];
  if (!result || failed || result.successful?.length !== files.length)
    throw new Error(
      `Uppy 6: ${failed?.error ?? `${result?.successful?.length ?? 0} of ${files.length} files`}`,
    );
  uppy.destroy();
  return { keys: files.map((file) => `${prefix}/${file.name}`) };
};

export default uppy6Many;
