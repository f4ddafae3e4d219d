// This library's engine with its defaults, built from /work/main/src as an app would import it
// ('s3-multipart-uploader/engine'): end-to-end integrity is on (each part's MD5 computed in Web
// Workers and bound as Content-MD5, the object's ETag checked after completion).
import { createHttpSigner, createUpload, createXhrTransport } from '../../../src/engine/index';
import type { Contender } from '../types';

const ours: Contender = async (file, { signerUrl, partSize, concurrency }) => {
  const upload = createUpload(file, {
    signer: createHttpSigner(signerUrl),
    transport: createXhrTransport(),
    partSize,
    concurrency,
  });
  const result = await upload.start();
  return { key: result.key };
};

export default ours;
