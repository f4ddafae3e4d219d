// This library's engine as an app would import it ('s3-multipart-uploader/engine'), built from
// /work/main/src; each `ours*` contender is one set of options over it.
import {
  createHttpSigner,
  createUpload,
  createXhrTransport,
  type UploadOptions,
} from '../../../src/engine/index';
import type { Contender } from '../types';

type Choice = Pick<UploadOptions, 'integrity' | 'concurrency'>;

/** A contender uploading with `choice`; without a concurrency in it, the bench's (equal for all). */
export function oursWith(choice: Choice): Contender {
  return async (file, { signerUrl, partSize, concurrency }) => {
    const upload = createUpload(file, {
      signer: createHttpSigner(signerUrl),
      transport: createXhrTransport(),
      partSize,
      concurrency,
      ...choice,
    });
    const result = await upload.start();
    return { key: result.key };
  };
}
