/** Computes the base64 MD5 of a Blob (a part), off the main thread where the runtime allows. */
export type PartHasher = (blob: Blob) => Promise<string>;
