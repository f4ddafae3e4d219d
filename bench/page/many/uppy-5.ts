// @uppy/core + @uppy/aws-s3 5 with every file added at once and its defaults for small files: one
// PUT per file, `limit` 6; `getUploadParameters` presigns it through the reference signer's /single.
import type { Body, Meta } from '@uppy/utils';
import AwsS3, { type AwsS3Options } from 'uppy-aws-s3-5';
import Uppy from 'uppy-core-5';
import { fileType, signSingle } from '../signer-api';
import type { ManyContender } from '../types';

/** uppy-aws-s3-5's types name '@uppy/core' (6 here); its bundle is aliased to uppy-core-5. */
type PluginHost = { use(plugin: unknown, options: unknown): void };

const uppy5Many: ManyContender = async (files, { signerUrl }) => {
  const keys = new Map<File, string>();
  const options: AwsS3Options<Meta, Body> = {
    shouldUseMultipart: false,
    async getUploadParameters(file) {
      const data = file.data as File;
      const signed = await signSingle(signerUrl, data);
      keys.set(data, signed.key);
      return { method: 'PUT', url: signed.url, headers: signed.headers ?? {} };
    },
  };
  const uppy = new Uppy({ autoProceed: false });
  (uppy as unknown as PluginHost).use(AwsS3, options);
  uppy.addFiles(files.map((file) => ({ name: file.name, type: fileType(file), data: file })));
  const result = await uppy.upload();
  const failed = result?.failed?.[0];
  if (!result || failed || result.successful?.length !== files.length)
    throw new Error(
      `Uppy 5: ${failed?.error ?? `${result?.successful?.length ?? 0} of ${files.length} files`}`,
    );
  uppy.destroy();
  return { keys: files.map((file) => keys.get(file) ?? '') };
};

export default uppy5Many;
