// This library's engine with `integrity: false`: no hashing, the same work as the reference.
import { createHttpSigner, createUpload, createXhrTransport } from '../../../src/engine/index';
import type { Contender } from '../types';

const oursNoIntegrity: Contender = async (file, { signerUrl, partSize, concurrency }) => {
  const upload = createUpload(file, {
    signer: createHttpSigner(signerUrl),
    transport: createXhrTransport(),
    partSize,
    concurrency,
    integrity: false,
  });
  const result = await upload.start();
  return { key: result.key };
};

export default oursNoIntegrity;
