import { isUploadError } from '../engine/errors';
import { parseCliArgs, USAGE, UsageError } from './args';
import { doctorCommand } from './doctor';
import { runUpload } from './upload-command';

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`s3mu: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'doctor') return doctorCommand(args, { stdout: process.stdout });
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const started = Date.now();
  try {
    const result = await runUpload(args, { stdout: process.stdout, stderr: process.stderr, interrupted });
    const seconds = (Date.now() - started) / 1000;
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ ...result, seconds, bytesPerSecond: Math.round(result.size / Math.max(seconds, 0.001)) })}\n`,
      );
    } else {
      process.stdout.write(
        `Uploaded ${result.size} bytes to ${result.key} (ETag ${result.etag || 'unknown'}) in ${seconds.toFixed(1)} s.\n`,
      );
    }
    return 0;
  } catch (error) {
    const code = isUploadError(error) ? error.code : 'UNEXPECTED';
    const message = error instanceof Error ? error.message : String(error);
    if (args.json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
    process.stderr.write(`s3mu: ${code}: ${message}\n`);
    return code === 'CANCELLED' ? 130 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(
      `s3mu: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
