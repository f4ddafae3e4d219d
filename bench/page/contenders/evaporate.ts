// EvaporateJS 2.1.4 with AWS Signature V4, as its README sets it up: Content-MD5 (spark-md5) and
// SHA-256 (js-sha256) of every part computed in the page, each S3 request signed by a GET to the
// bench's signer endpoint. EvaporateJS signs `host` without the port; the bench signer re-derives
// the string to sign from the canonical request (sendCanonicalRequestToSignerUrl) with host:port.
import Evaporate from 'evaporate';
import { sha256 } from 'js-sha256';
import SparkMD5 from 'spark-md5';
import { fileType } from '../signer-api';
import type { Contender } from '../types';

function md5Base64(data: ArrayBuffer | Uint8Array): string {
  return btoa(SparkMD5.ArrayBuffer.hash(data as ArrayBuffer, true));
}

const evaporate: Contender = async (file, { auxUrl, s3, key, partSize, concurrency }) => {
  const uploader = await Evaporate.create({
    signerUrl: `${auxUrl}/evaporate/sign`,
    aws_key: s3.accessKeyId,
    aws_url: s3.endpoint,
    bucket: s3.bucket,
    awsRegion: s3.region,
    awsSignatureVersion: '4',
    computeContentMd5: true,
    cryptoMd5Method: md5Base64,
    cryptoHexEncodedHash256: (data: string | ArrayBuffer | Uint8Array) => sha256(data),
    sendCanonicalRequestToSignerUrl: true,
    signParams: { host: new URL(s3.endpoint).host },
    maxConcurrentParts: concurrency,
    partSize,
    logging: false,
  });
  const stored = await uploader.add({ name: key, file, contentType: fileType(file) });
  return { key: typeof stored === 'string' && stored ? stored : key };
};

export default evaporate;
