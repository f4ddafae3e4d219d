// This library, many files, with `integrity: false`: the same work as the reference.
import type { ManyContender } from '../types';
import { uploadThroughQueue } from './queue';

const oursNoIntegrityMany: ManyContender = async (files, { signerUrl }) => ({
  keys: await uploadThroughQueue(files, signerUrl, { integrity: false }),
});

export default oursNoIntegrityMany;
