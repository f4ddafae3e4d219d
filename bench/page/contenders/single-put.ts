// One presigned PUT of the whole file: the ceiling for a single connection.
import { signSingle, xhrPut } from '../signer-api';
import type { Contender } from '../types';

const singlePut: Contender = async (file, { signerUrl }) => {
  const signed = await signSingle(signerUrl, file);
  await xhrPut(signed.url, file, signed.headers);
  return { key: signed.key };
};

export default singlePut;
