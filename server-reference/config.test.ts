import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from './config';

const TOKEN = 'tok-0123456789abcdef';
const minimal = {
  S3_BUCKET: 'b',
  S3_ACCESS_KEY_ID: 'AK',
  S3_SECRET_ACCESS_KEY: 'SK',
  SIGNER_AUTH_TOKENS: `${TOKEN}:alice`,
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig(minimal);
    expect(config).toEqual({
      s3: {
        endpoint: undefined,
        region: 'us-east-1',
        bucket: 'b',
        accessKeyId: 'AK',
        secretAccessKey: 'SK',
        sessionToken: undefined,
        forcePathStyle: false,
      },
      port: 8787,
      host: '127.0.0.1',
      allowedOrigins: [],
      urlLifetimeSeconds: 900,
      basePath: '/api/uploads',
      maxObjectBytes: undefined,
      auth: { mode: 'tokens', tokens: [{ token: TOKEN, owner: 'alice' }] },
      allowedTypes: [],
      maxPartsPerSignRequest: 100,
      rateLimit: { perIp: 3000, perOwner: 1200, windowSeconds: 60 },
      trustProxy: false,
      uploadRegistry: { mode: 'none' },
    });
    expect(DEFAULTS.urlLifetimeSeconds).toBe(15 * 60);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...minimal,
      S3_ENDPOINT: 'http://127.0.0.1:7480',
      S3_REGION: 'eu-west-3',
      S3_FORCE_PATH_STYLE: 'false',
      S3_SESSION_TOKEN: 'tok',
      PORT: '0',
      HOST: '0.0.0.0',
      SIGNER_ALLOWED_ORIGINS: ' https://app.example.com , http://localhost:5173/ ,',
      SIGNER_URL_LIFETIME_SECONDS: '60',
      SIGNER_BASE_PATH: '/signer/',
      SIGNER_MAX_OBJECT_BYTES: '1000',
      SIGNER_ALLOWED_TYPES: 'image/*, Application/PDF',
      SIGNER_MAX_PARTS_PER_SIGN: '8',
      SIGNER_RATE_LIMIT_PER_IP: '0',
      SIGNER_RATE_LIMIT_PER_OWNER: '10',
      SIGNER_RATE_LIMIT_WINDOW_SECONDS: '5',
      SIGNER_TRUST_PROXY: '10.0.0.0/8, ::1',
    });
    expect(config.s3).toMatchObject({
      endpoint: 'http://127.0.0.1:7480',
      region: 'eu-west-3',
      forcePathStyle: false,
    });
    expect(config.s3.sessionToken).toBe('tok');
    expect(config.port).toBe(0);
    expect(config.host).toBe('0.0.0.0');
    expect(config.allowedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(config.urlLifetimeSeconds).toBe(60);
    expect(config.basePath).toBe('/signer');
    expect(config.maxObjectBytes).toBe(1000);
    expect(config.allowedTypes).toEqual(['image/*', 'application/pdf']);
    expect(config.maxPartsPerSignRequest).toBe(8);
    expect(config.rateLimit).toEqual({ perIp: 0, perOwner: 10, windowSeconds: 5 });
    expect(config.trustProxy).toEqual(['10.0.0.0/8', '::1']);
  });

  it('defaults to path-style when a custom endpoint is set', () => {
    expect(loadConfig({ ...minimal, S3_ENDPOINT: 'http://127.0.0.1:7480' }).s3.forcePathStyle).toBe(true);
    expect(loadConfig({ ...minimal, S3_FORCE_PATH_STYLE: '1' }).s3.forcePathStyle).toBe(true);
  });

  it('lists every missing variable at once, saying what to set', () => {
    const problems = problemsOf({});
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/SIGNER_AUTH_TOKENS is required[\s\S]*SIGNER_AUTH=none/);
    expect(problems.join('\n')).toMatch(/S3_BUCKET/);
    expect(problems.join('\n')).toMatch(/S3_ACCESS_KEY_ID/);
    expect(problems.join('\n')).toMatch(/S3_SECRET_ACCESS_KEY/);
    expect(() => loadConfig({})).toThrow(/S3_BUCKET is required[\s\S]*Set these environment variables/);
  });

  it('treats blank values as missing', () => {
    expect(problemsOf({ ...minimal, S3_BUCKET: '  ' })).toEqual([expect.stringMatching(/S3_BUCKET/)]);
  });

  it('rejects invalid values with the variable name', () => {
    const problems = problemsOf({
      ...minimal,
      S3_ENDPOINT: 'ftp://x',
      S3_REGION: 'US EAST',
      S3_FORCE_PATH_STYLE: 'maybe',
      PORT: '70000',
      SIGNER_URL_LIFETIME_SECONDS: '0',
      SIGNER_BASE_PATH: 'no-leading-slash',
      SIGNER_ALLOWED_ORIGINS: 'https://ok.example, https://x.example/path, *',
      SIGNER_MAX_OBJECT_BYTES: '-1',
      SIGNER_ALLOWED_TYPES: 'image/*, images, */png',
      SIGNER_MAX_PARTS_PER_SIGN: '10001',
      SIGNER_RATE_LIMIT_PER_IP: 'lots',
      SIGNER_RATE_LIMIT_PER_OWNER: '-5',
      SIGNER_RATE_LIMIT_WINDOW_SECONDS: '0',
      SIGNER_TRUST_PROXY: 'the load balancer',
    });
    const text = problems.join('\n');
    for (const name of [
      'S3_ENDPOINT',
      'S3_REGION',
      'S3_FORCE_PATH_STYLE',
      'PORT',
      'SIGNER_URL_LIFETIME_SECONDS',
      'SIGNER_BASE_PATH',
      'SIGNER_MAX_OBJECT_BYTES',
      'SIGNER_MAX_PARTS_PER_SIGN',
      'SIGNER_RATE_LIMIT_PER_IP',
      'SIGNER_RATE_LIMIT_PER_OWNER',
      'SIGNER_RATE_LIMIT_WINDOW_SECONDS',
      'SIGNER_TRUST_PROXY',
    ]) {
      expect(text).toContain(name);
    }
    expect(problems.filter((p) => p.startsWith('SIGNER_ALLOWED_ORIGINS'))).toHaveLength(2);
    expect(problems.filter((p) => p.startsWith('SIGNER_ALLOWED_TYPES'))).toHaveLength(2);
    expect(problemsOf({ ...minimal, SIGNER_URL_LIFETIME_SECONDS: '604801' })).toHaveLength(1);
    expect(problemsOf({ ...minimal, PORT: '12ab' })).toHaveLength(1);
  });

  it('reads trust proxy settings', () => {
    expect(loadConfig({ ...minimal, SIGNER_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...minimal, SIGNER_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...minimal, SIGNER_TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ ...minimal, SIGNER_TRUST_PROXY: '127.0.0.1' }).trustProxy).toEqual(['127.0.0.1']);
  });

  it('reads S3_PART_ENDPOINTS: comma-separated http(s) URLs, blanks ignored, omitted when empty', () => {
    const config = loadConfig({
      ...minimal,
      S3_ENDPOINT: 'http://127.0.0.1:7480',
      S3_PART_ENDPOINTS: ' http://localhost:7480 ,, http://127.0.0.1:7481/ ,',
    });
    expect(config.s3.partEndpoints).toEqual(['http://localhost:7480', 'http://127.0.0.1:7481/']);
    expect(config.s3.forcePathStyle).toBe(true);
    // On AWS, next to the regional endpoint the SDK uses without S3_ENDPOINT.
    expect(
      loadConfig({ ...minimal, S3_PART_ENDPOINTS: 'https://s3.dualstack.us-east-1.amazonaws.com' }).s3
        .partEndpoints,
    ).toEqual(['https://s3.dualstack.us-east-1.amazonaws.com']);
    for (const unset of [{}, { S3_PART_ENDPOINTS: '' }, { S3_PART_ENDPOINTS: ' , ' }]) {
      expect(Object.keys(loadConfig({ ...minimal, ...unset }).s3)).not.toContain('partEndpoints');
    }
  });

  it('rejects S3_PART_ENDPOINTS entries that are not http(s) URLs, naming each', () => {
    const problems = problemsOf({
      ...minimal,
      S3_PART_ENDPOINTS: 'http://localhost:7480, ftp://x, localhost:7481, https://ok.example',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^S3_PART_ENDPOINTS entries must be http\(s\) URLs .*got "ftp:\/\/x"\.$/),
      expect.stringMatching(/^S3_PART_ENDPOINTS entries must be http\(s\) URLs .*got "localhost:7481"\.$/),
    ]);
  });

  it('rejects S3_PART_ENDPOINTS duplicates: the same origin twice, or the main endpoint again', () => {
    const twice = problemsOf({
      ...minimal,
      S3_ENDPOINT: 'http://127.0.0.1:7480',
      S3_PART_ENDPOINTS: 'http://localhost:7480, HTTP://LOCALHOST:7480/other',
    });
    expect(twice).toEqual([
      expect.stringMatching(
        /^S3_PART_ENDPOINTS lists the origin http:\/\/localhost:7480 twice \("http:\/\/localhost:7480" and "HTTP:\/\/LOCALHOST:7480\/other"\).*Keep one/,
      ),
    ]);
    const main = problemsOf({
      ...minimal,
      S3_ENDPOINT: 'http://127.0.0.1:7480/',
      S3_PART_ENDPOINTS: 'http://localhost:7480,http://127.0.0.1:7480',
    });
    expect(main).toEqual([
      expect.stringMatching(
        /^S3_PART_ENDPOINTS entry "http:\/\/127\.0\.0\.1:7480" has the same origin \(http:\/\/127\.0\.0\.1:7480\) as S3_ENDPOINT.*Remove it/,
      ),
    ]);
    // Without S3_ENDPOINT the main endpoint is AWS's regional one.
    const aws = problemsOf({
      ...minimal,
      S3_REGION: 'eu-west-3',
      S3_PART_ENDPOINTS: 'https://s3.eu-west-3.amazonaws.com',
    });
    expect(aws).toEqual([expect.stringMatching(/same origin .* as the AWS endpoint .*S3_REGION=eu-west-3/)]);
    // An invalid S3_ENDPOINT is reported once, and not compared with.
    expect(
      problemsOf({ ...minimal, S3_ENDPOINT: 'nope', S3_PART_ENDPOINTS: 'http://localhost:7480' }),
    ).toEqual([expect.stringMatching(/^S3_ENDPOINT must be/)]);
  });

  it('reads the upload registry setting', () => {
    const registry = (value: string) =>
      loadConfig({ ...minimal, SIGNER_UPLOAD_REGISTRY: value }).uploadRegistry;
    expect(registry('none')).toEqual({ mode: 'none' });
    expect(registry('memory')).toEqual({ mode: 'memory' });
    expect(registry('MEMORY')).toEqual({ mode: 'memory' });
    expect(registry('file:/var/lib/signer/uploads.json')).toEqual({
      mode: 'file',
      path: '/var/lib/signer/uploads.json',
    });
    for (const bad of ['file:', 'redis://x', 'yes']) {
      expect(problemsOf({ ...minimal, SIGNER_UPLOAD_REGISTRY: bad })).toEqual([
        expect.stringMatching(/^SIGNER_UPLOAD_REGISTRY must be "none".*got/),
      ]);
    }
  });
});

describe('loadConfig: authentication', () => {
  const { SIGNER_AUTH_TOKENS: _, ...noAuth } = minimal;

  it('refuses to start without SIGNER_AUTH_TOKENS unless SIGNER_AUTH=none', () => {
    expect(problemsOf(noAuth)).toEqual([expect.stringMatching(/^SIGNER_AUTH_TOKENS is required/)]);
    expect(problemsOf({ ...noAuth, SIGNER_AUTH: 'tokens' })).toHaveLength(1);
    expect(loadConfig({ ...noAuth, SIGNER_AUTH: 'none' }).auth).toEqual({ mode: 'none' });
    expect(loadConfig({ ...noAuth, SIGNER_AUTH: 'NONE' }).auth).toEqual({ mode: 'none' });
    expect(loadConfig({ ...noAuth, SIGNER_AUTH: 'custom' }).auth).toEqual({ mode: 'custom' });
  });

  it('reads several tokens, one owner may have several', () => {
    const config = loadConfig({
      ...noAuth,
      SIGNER_AUTH_TOKENS: ' aaaaaaaaaaaaaaaa:alice , bbbbbbbbbbbbbbbb:bob,cccccccccccccccc:alice ',
    });
    expect(config.auth).toEqual({
      mode: 'tokens',
      tokens: [
        { token: 'aaaaaaaaaaaaaaaa', owner: 'alice' },
        { token: 'bbbbbbbbbbbbbbbb', owner: 'bob' },
        { token: 'cccccccccccccccc', owner: 'alice' },
      ],
    });
  });

  it('rejects contradictory or unknown modes and bad tokens, without echoing tokens', () => {
    expect(problemsOf({ ...minimal, SIGNER_AUTH: 'none' })).toEqual([expect.stringMatching(/both set/)]);
    expect(problemsOf({ ...minimal, SIGNER_AUTH: 'jwt' })).toEqual([
      expect.stringMatching(/SIGNER_AUTH must be/),
    ]);
    const problems = problemsOf({ ...noAuth, SIGNER_AUTH_TOKENS: 'short-secret:alice' });
    expect(problems).toEqual([expect.stringMatching(/entry 1: the token must be 16/)]);
    expect(problems.join()).not.toContain('short-secret');
  });
});
