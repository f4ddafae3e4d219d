// EvaporateJS ships no types: the part of its API the bench uses.
declare module 'evaporate' {
  interface EvaporateConfig {
    signerUrl: string;
    aws_key: string;
    aws_url: string;
    bucket: string;
    awsRegion: string;
    awsSignatureVersion: '2' | '4';
    computeContentMd5: boolean;
    cryptoMd5Method: (data: ArrayBuffer | Uint8Array) => string;
    cryptoHexEncodedHash256: (data: string | ArrayBuffer | Uint8Array) => string;
    sendCanonicalRequestToSignerUrl?: boolean;
    signParams?: Record<string, string>;
    maxConcurrentParts?: number;
    partSize?: number;
    logging?: boolean;
  }
  interface AddConfig {
    name: string;
    file: File;
    contentType?: string;
  }
  interface EvaporateInstance {
    add(config: AddConfig): Promise<string>;
  }
  const Evaporate: { create(config: EvaporateConfig): Promise<EvaporateInstance> };
  export default Evaporate;
}
