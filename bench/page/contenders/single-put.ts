// One presigned PUT of the whole file: the ceiling for a single connection.
import { fileType, postJson, type SignedUrl, xhrPut } from '../signer-api';
import type { Contender } from '../types';

const singlePut: Contender = async (file, { signerUrl }) => {
  const signed = await postJson<SignedUrl & { key: string }>(signerUrl, '/single', {
    name: file.name,
    size: file.size,
    type: fileType(file),
  });
  await xhrPut(signed.url, file, signed.headers);
  return { key: signed.key };
};

export default singlePut;
