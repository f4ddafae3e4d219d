// This library, many files, with its defaults (integrity on: each file's MD5 computed in a Web
// Worker and bound as Content-MD5, its ETag checked after the PUT).
import type { ManyContender } from '../types';
import { uploadThroughQueue } from './queue';

const oursMany: ManyContender = async (files, { signerUrl }) => ({
  keys: await uploadThroughQueue(files, signerUrl),
});

export default oursMany;
