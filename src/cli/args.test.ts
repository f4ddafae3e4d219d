import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from './args';

describe('s3mu arguments', () => {
  it('parses an upload with every option', () => {
    const args = parseCliArgs(
      [
        'upload',
        'a.bin',
        '--signer',
        'http://127.0.0.1:1/api/uploads',
        '--token',
        't',
        '--key-hint',
        'b.bin',
        '--concurrency',
        '6',
        '--part-size',
        '16',
        '--state-dir',
        '/tmp/s',
        '--json',
      ],
      {},
    );
    expect(args).toEqual({
      command: 'upload',
      file: 'a.bin',
      signer: 'http://127.0.0.1:1/api/uploads',
      token: 't',
      keyHint: 'b.bin',
      concurrency: 6,
      partSizeMiB: 16,
      stateDir: '/tmp/s',
      json: true,
    });
  });

  it('takes the signer and token from the environment and defaults the state dir per user', () => {
    const args = parseCliArgs(['upload', 'a.bin'], {
      S3MU_SIGNER: 'http://x/api',
      S3MU_TOKEN: 'tok',
      XDG_STATE_HOME: '/state',
    });
    expect(args).toMatchObject({
      signer: 'http://x/api',
      token: 'tok',
      stateDir: '/state/s3mu',
      concurrency: 6,
    });
  });

  it('explains what is wrong with bad input', () => {
    expect(() => parseCliArgs(['upload', 'a.bin'], {})).toThrow(/Missing --signer URL/);
    expect(() => parseCliArgs(['upload'], {})).toThrow(/Missing FILE/);
    expect(() => parseCliArgs(['send', 'a'], {})).toThrow(/Unknown command "send"/);
    expect(() => parseCliArgs(['upload', 'a', '--signer', 'nope'], {})).toThrow(/absolute http/);
    expect(() => parseCliArgs(['upload', 'a', '--signer', 'http://x', '--concurrency', '0'], {})).toThrow(
      /--concurrency must be a whole number/,
    );
    expect(() => parseCliArgs(['upload', 'a', '--signer', 'http://x', '--bogus'], {})).toThrow(UsageError);
    expect(parseCliArgs([], {})).toEqual({ command: 'help' });
  });

  it('parses doctor with every option, and takes the signer and token from the environment', () => {
    expect(
      parseCliArgs(
        [
          'doctor',
          '--signer',
          'http://127.0.0.1:1/api/uploads',
          '--origin',
          'https://app.example.com/',
          '--token',
          't',
          '--json',
        ],
        {},
      ),
    ).toEqual({
      command: 'doctor',
      signer: 'http://127.0.0.1:1/api/uploads',
      origin: 'https://app.example.com',
      token: 't',
      json: true,
    });
    expect(
      parseCliArgs(['doctor', '--origin', 'http://127.0.0.1:5173'], {
        S3MU_SIGNER: 'http://x/api',
        S3MU_TOKEN: 'tok',
      }),
    ).toEqual({
      command: 'doctor',
      signer: 'http://x/api',
      origin: 'http://127.0.0.1:5173',
      token: 'tok',
      json: false,
    });
  });

  it('explains what is wrong with doctor arguments', () => {
    const signer = ['--signer', 'http://x/api'];
    expect(() => parseCliArgs(['doctor', ...signer], {})).toThrow(/Missing --origin ORIGIN/);
    expect(() => parseCliArgs(['doctor', '--origin', 'https://a.example'], {})).toThrow(
      /Missing --signer URL/,
    );
    for (const origin of ['https://a.example/app', 'a.example', 'ftp://a.example', 'https://a.example?x=1']) {
      expect(() => parseCliArgs(['doctor', ...signer, '--origin', origin], {})).toThrow(
        /--origin must be a browser origin like https:\/\/app.example.com/,
      );
    }
    expect(() =>
      parseCliArgs(['doctor', 'file.bin', ...signer, '--origin', 'https://a.example'], {}),
    ).toThrow(/Unexpected arguments: file.bin/);
    expect(() =>
      parseCliArgs(['doctor', ...signer, '--origin', 'https://a.example', '--concurrency', '2'], {}),
    ).toThrow(/--concurrency is an option of upload, not of doctor/);
    expect(() => parseCliArgs(['upload', 'a.bin', ...signer, '--origin', 'https://a.example'], {})).toThrow(
      /--origin is an option of doctor/,
    );
  });
});
