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
      concurrency: 4,
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
});
