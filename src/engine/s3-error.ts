/** The `<Code>` and `<Message>` of an S3 XML error body (empty strings when absent). */
export interface S3ErrorBody {
  code: string;
  message: string;
  /** Present on RequestTimeTooSkewed: S3's own clock. */
  serverTime: string;
}

function tag(xml: string, name: string): string {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1]?.trim() ?? '';
}

export function parseS3Error(body: string): S3ErrorBody {
  return { code: tag(body, 'Code'), message: tag(body, 'Message'), serverTime: tag(body, 'ServerTime') };
}
