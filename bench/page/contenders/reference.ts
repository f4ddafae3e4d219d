// The reference: the least a parallel multipart upload needs. Every part is presigned up front
// (batches of 100 in parallel), then `concurrency` workers PUT Blob slices with XHR. No retries,
// no progress, no resume.
import { completeMultipart, createMultipart, signParts, xhrPut } from '../signer-api';
import type { Contender } from '../types';

const MAX_PARTS_PER_SIGN = 100;

const reference: Contender = async (file, { signerUrl, partSize, concurrency }) => {
  const upload = await createMultipart(signerUrl, file, partSize);
  const count = Math.ceil(file.size / partSize);
  const parts = Array.from({ length: count }, (_, i) => ({
    partNumber: i + 1,
    start: i * partSize,
    end: Math.min(file.size, (i + 1) * partSize),
  }));

  const batches: (typeof parts)[] = [];
  for (let i = 0; i < count; i += MAX_PARTS_PER_SIGN) batches.push(parts.slice(i, i + MAX_PARTS_PER_SIGN));
  const signed = (
    await Promise.all(
      batches.map((batch) =>
        signParts(
          signerUrl,
          upload,
          batch.map((p) => ({ partNumber: p.partNumber, contentLength: p.end - p.start })),
        ),
      ),
    )
  ).flat();
  const urls = new Map(signed.map((s) => [s.partNumber, s]));

  const etags: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const part = parts[next++];
      if (!part) return;
      const url = urls.get(part.partNumber);
      if (!url) throw new Error(`part ${part.partNumber} was not signed`);
      etags[part.partNumber - 1] = await xhrPut(url.url, file.slice(part.start, part.end), url.headers);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));

  const done = await completeMultipart(
    signerUrl,
    upload,
    etags.map((etag, i) => ({ partNumber: i + 1, etag })),
  );
  return { key: done.key };
};

export default reference;
