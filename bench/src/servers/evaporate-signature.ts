// The signing function EvaporateJS needs for AWS Signature V4: HMAC-SHA256 of the string to sign
// with the key derived from the secret, date, region and service (as its example servers do).
// EvaporateJS puts `host:<hostname>` without the port into its canonical request, which S3
// checks against the Host header (host:port here), so the string to sign is rebuilt from the
// canonical request with the real host instead of being taken as sent.
import { createHash, createHmac } from 'node:crypto';

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export interface EvaporateSignInput {
  /** yyyymmddThhmmssZ, as EvaporateJS sends it. */
  datetime: string;
  canonicalRequest: string;
  /** host:port the browser really sends. */
  host: string;
  region: string;
  secretAccessKey: string;
}

export function evaporateSignature(input: EvaporateSignInput): string {
  const { datetime, region, secretAccessKey } = input;
  if (!/^\d{8}T\d{6}Z$/.test(datetime)) throw new Error(`bad datetime "${datetime}"`);
  const canonical = input.canonicalRequest.replace(/^host:.*$/m, `host:${input.host}`);
  const date = datetime.slice(0, 8);
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    datetime,
    scope,
    createHash('sha256').update(canonical, 'utf8').digest('hex'),
  ].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), 's3'), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}
