import type { S3Client } from '@aws-sdk/client-s3';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { type Authenticate, anonymousAuth, bearerTokenAuth } from './auth';
import type { SignerConfig } from './config';
import { type ErrorBody, SignerHttpError } from './errors';
import { createUploadRegistry, type UploadRegistry } from './registry';
import { DEFAULT_BODY_LIMIT, registerRoutes } from './routes';
import { createS3Client } from './s3';

export type { Authenticate, TokenGrant } from './auth';
export { ANONYMOUS_OWNER, anonymousAuth, bearerToken, bearerTokenAuth } from './auth';
export type { RegisteredUpload, UploadRegistry } from './registry';
export { createFileRegistry, createMemoryRegistry } from './registry';

export interface SignerAppOptions {
  /**
   * Who is calling: return an owner id (it becomes the key prefix `uploads/<owner>/`) or null to
   * answer 401. Runs before the body is read. This is the seam for sessions, JWTs… (see
   * server-reference/README.md). Takes precedence over `config.auth`; without either,
   * buildSignerApp throws.
   */
  authenticate?: Authenticate;
  /**
   * S3 client to use; default one built from `config.s3` (checksums only when required). It also
   * signs the parts of the main endpoint; those of `config.s3.partEndpoints` are signed by clients
   * built from `config.s3` with that endpoint, whether or not this one is given.
   */
  s3Client?: S3Client;
  /** Signer clock (epoch ms); injectable for tests. */
  now?: () => number;
  /** Fastify logger option; default off. */
  logger?: FastifyServerOptions['logger'];
  /**
   * Where `create` remembers uploads made with a fingerprint, for `POST B/multipart/find` on stores
   * that cannot list multipart uploads (registry.ts). Default: the one `config.uploadRegistry`
   * (SIGNER_UPLOAD_REGISTRY) asks for, none unless set; null: none whatever the config says.
   */
  registry?: UploadRegistry | null;
  /**
   * Find uploads with S3's ListMultipartUploads (default true). When S3 answers that it does not
   * implement it (501 NotImplemented, 405), the signer switches to the registry by itself; false
   * uses the registry only.
   */
  s3Listing?: boolean;
}

function errorBody(code: ErrorBody['error']['code'], message: string): ErrorBody {
  return { error: { code, message } };
}

/** `options.authenticate`, else the strategy of `config.auth`; refuses to guess when neither is set. */
function resolveAuthenticate(config: SignerConfig, options: SignerAppOptions): Authenticate {
  if (options.authenticate) return options.authenticate;
  if (config.auth?.mode === 'tokens') return bearerTokenAuth(config.auth.tokens);
  if (config.auth?.mode === 'none') return anonymousAuth;
  if (config.auth?.mode === 'custom') {
    throw new Error(
      'buildSignerApp: SIGNER_AUTH=custom needs an authenticate hook: buildSignerApp(config, { authenticate }).',
    );
  }
  throw new Error(
    'buildSignerApp: no authentication configured. Pass options.authenticate, or set config.auth to ' +
      "{ mode: 'tokens', tokens: [{ token, owner }] } (or { mode: 'none' } for local development only); " +
      'loadConfig() reads it from SIGNER_AUTH_TOKENS / SIGNER_AUTH.',
  );
}

interface AjvIssue {
  keyword?: string;
  instancePath?: string;
  params?: Record<string, unknown>;
}

/** A 400 message naming the offending field, without dumping regular expressions. */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0] as AjvIssue | undefined;
  const where = `${error.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
  const unknown = first?.keyword === 'additionalProperties' ? first.params?.additionalProperty : undefined;
  if (typeof unknown === 'string') return `Invalid request: unknown field "${unknown}" at ${where}.`;
  if (first?.keyword === 'pattern') return `Invalid request: ${where} is not in the expected format.`;
  return `Invalid request: ${error.message}.`;
}

/** Fastify takes a hop count too, but its types do not: the equivalent proxy-addr function. */
function trustProxyOption(value: SignerConfig['trustProxy']): boolean | string[] | TrustHop {
  if (typeof value === 'number') return (_address, hop) => hop < value;
  return value ?? false;
}
type TrustHop = (address: string, hop: number) => boolean;

/** Builds the reference signer (docs/protocol.md). Call `listen()` or `inject()` on the result. */
export function buildSignerApp(config: SignerConfig, options: SignerAppOptions = {}): FastifyInstance {
  const authenticate = resolveAuthenticate(config, options);
  const app = Fastify({
    logger: options.logger ?? false,
    // Per route: this default, more for sign (config.maxPartsPerSignRequest) and complete (1 MiB).
    bodyLimit: DEFAULT_BODY_LIMIT,
    trustProxy: trustProxyOption(config.trustProxy),
    // A JSON API answers fast: do not let slow clients hold sockets (slowloris).
    requestTimeout: 30_000,
    // Reject instead of silently fixing: no coercion ("5" is not 5), no stripping of unknown fields.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false },
    },
  });

  // JSON only. Fastify also parses text/plain, a CORS "simple" content type that a hostile page
  // can POST without a preflight (CSRF against cookie-based authenticate hooks): drop it.
  app.removeContentTypeParser('text/plain');

  // JSON API: no content to frame, sniff or run. Defaults (nosniff, HSTS, CORP same-origin — it only
  // restricts no-cors requests, CORS calls are unaffected, …) plus a CSP that allows nothing.
  app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
  });

  if (config.allowedOrigins.length > 0) {
    app.register(cors, {
      origin: config.allowedOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type', 'Authorization'],
      exposedHeaders: ['Retry-After'],
      maxAge: 600,
    });
  }

  // The limiters are created per scope in routes.ts (per IP before authentication, per owner after).
  app.register(rateLimit, { global: false });

  app.addHook('onSend', async (_request, reply, payload) => {
    // Every answer carries the signer's clock (Node adds Date on sockets, not under inject) and
    // is never cached: presigned URLs are credentials.
    reply.header('Date', new Date().toUTCString());
    reply.header('Cache-Control', 'no-store');
    return payload;
  });

  app.setErrorHandler((error: FastifyError | SignerHttpError, request, reply) => {
    if (error instanceof SignerHttpError) {
      if (error.statusCode >= 500) request.log.error({ err: error.cause ?? error }, error.message);
      if (error.retryAfter !== undefined) reply.header('Retry-After', String(error.retryAfter));
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return reply.status(error.statusCode).send(error.toBody());
    }
    if (error.validation) {
      return reply
        .status(400)
        .send(errorBody('BAD_REQUEST', `${validationMessage(error)} See docs/protocol.md.`));
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 413) {
      return reply.status(413).send(errorBody('TOO_LARGE', 'The request body is too large.'));
    }
    if (status >= 400 && status < 500) {
      // Bad JSON, wrong content type, empty body… (Fastify's FST_ERR_CTP_* errors).
      return reply
        .status(400)
        .send(
          errorBody('BAD_REQUEST', `${error.message}. Send a JSON body with Content-Type: application/json.`),
        );
    }
    request.log.error({ err: error }, 'unexpected signer error');
    return reply.status(500).send(errorBody('INTERNAL', 'The signer failed unexpectedly; retry later.'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(
        errorBody(
          'NOT_FOUND',
          `No route ${request.method} ${request.url}; the signer serves ${config.basePath}/…`,
        ),
      );
  });

  // One client per extra part endpoint, built once: they only presign (no network I/O).
  const partS3 = (config.s3.partEndpoints ?? []).map((endpoint) =>
    createS3Client({ ...config.s3, endpoint }),
  );
  if (partS3.length > 0) {
    app.addHook('onClose', async () => {
      for (const client of partS3) client.destroy();
    });
  }
  const deps = {
    config,
    s3: options.s3Client ?? createS3Client(config.s3),
    partS3,
    authenticate,
    now: options.now ?? Date.now,
    registry:
      options.registry !== undefined
        ? (options.registry ?? undefined)
        : createUploadRegistry(config.uploadRegistry, { now: options.now ?? Date.now }),
    s3Listing: options.s3Listing ?? true,
  };
  app.register(
    async (scope) => {
      registerRoutes(scope, deps);
    },
    { prefix: config.basePath },
  );
  return app;
}
