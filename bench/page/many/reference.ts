// The many-files reference: the least it takes. Each file is one presigned PUT from the reference
// signer's /single route; `concurrency` workers (6, Chromium's HTTP/1.1 connections per host) each
// sign then PUT one file after another. No retries, no progress, no integrity.
import { signSingle, xhrPut } from '../signer-api';
import type { ManyContender } from '../types';

const referenceMany: ManyContender = async (files, { signerUrl, concurrency }) => {
  const keys: string[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      const file = files[index] as File;
      const signed = await signSingle(signerUrl, file);
      await xhrPut(signed.url, file, signed.headers);
      keys[index] = signed.key;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return { keys };
};

export default referenceMany;
