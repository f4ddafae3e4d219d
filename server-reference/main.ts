// `npm run signer`: the reference signer as a standalone server, configured from the environment
// (see server-reference/README.md).
import { buildSignerApp } from './app';
import { ConfigError, loadConfig } from './config';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const app = buildSignerApp(config, { logger: { level: process.env.LOG_LEVEL ?? 'info' } });
  const address = await app.listen({ port: config.port, host: config.host });
  console.log(`Signer listening on ${address}${config.basePath}`);
  console.log(
    `  bucket ${config.s3.bucket} at ${config.s3.endpoint ?? `AWS ${config.s3.region}`}; URLs live ${config.urlLifetimeSeconds} s; ` +
      `CORS origins: ${config.allowedOrigins.length > 0 ? config.allowedOrigins.join(', ') : 'none'}`,
  );
  if (config.s3.partEndpoints?.length) {
    console.log(
      `  part URLs also on ${config.s3.partEndpoints.join(', ')} (S3_PART_ENDPOINTS): ${config.s3.partEndpoints.length + 1} hosts, 6 connections each in a browser`,
    );
  }
  const registry = config.uploadRegistry ?? { mode: 'none' };
  console.log(
    `  finding unfinished uploads: S3 listing${registry.mode === 'none' ? ' only' : `, else the ${registry.mode === 'file' ? `registry file ${registry.path}` : 'in-memory registry'}`}`,
  );
  if (config.auth?.mode === 'tokens') {
    const owners = new Set(config.auth.tokens.map((t) => t.owner));
    console.log(`  auth: bearer tokens for ${owners.size} owner(s)`);
  } else if (config.auth?.mode === 'none') {
    console.warn(
      '  WARNING: SIGNER_AUTH=none: anyone who can reach this signer can upload as "anonymous". Local development only.',
    );
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
