import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from './config';

const minimal = { S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'AK', S3_SECRET_ACCESS_KEY: 'SK' };

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
  });

  it('defaults to path-style when a custom endpoint is set', () => {
    expect(loadConfig({ ...minimal, S3_ENDPOINT: 'http://127.0.0.1:7480' }).s3.forcePathStyle).toBe(true);
    expect(loadConfig({ ...minimal, S3_FORCE_PATH_STYLE: '1' }).s3.forcePathStyle).toBe(true);
  });

  it('lists every missing variable at once, saying what to set', () => {
    const problems = problemsOf({});
    expect(problems).toHaveLength(3);
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
    ]) {
      expect(text).toContain(name);
    }
    expect(problems.filter((p) => p.startsWith('SIGNER_ALLOWED_ORIGINS'))).toHaveLength(2);
    expect(problemsOf({ ...minimal, SIGNER_URL_LIFETIME_SECONDS: '604801' })).toHaveLength(1);
    expect(problemsOf({ ...minimal, PORT: '12ab' })).toHaveLength(1);
  });
});
