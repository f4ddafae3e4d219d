// @aws-sdk/lib-storage's Upload with an S3Client in the page. It signs in the browser, so it gets
// credentials: the throwaway test S3's, for this benchmark only (everything is bound to 127.0.0.1).
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { fileType } from '../signer-api';
import type { Contender } from '../types';

const libStorage: Contender = async (file, { s3, key, partSize, concurrency }) => {
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  try {
    const upload = new Upload({
      client,
      params: { Bucket: s3.bucket, Key: key, Body: file, ContentType: fileType(file) },
      queueSize: concurrency,
      partSize,
      leavePartsOnError: false,
    });
    await upload.done();
    return { key };
  } finally {
    client.destroy();
  }
};

export default libStorage;
