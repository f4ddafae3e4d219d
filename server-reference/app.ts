import type { S3Client } from '@aws-sdk/client-s3';
import cors from '@fastify/cors';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { SignerConfig } from './config';
import { type ErrorBody, SignerHttpError } from './errors';
import { type Authenticate, registerRoutes } from './routes';
import { createS3Client } from './s3';

export type { Authenticate } from './routes';

export interface SignerAppOptions {
  /**
   * Who is calling: return an owner id (it becomes the key prefix `uploads/<owner>/`) or null to
   * answer 401. This is the seam for real authentication (e.g. verify the `Authorization: Bearer`
   * token). Default: everyone is 'anonymous'.
   */
  authenticate?: Authenticate;
  /** S3 client to use; default one built from `config.s3` (checksums only when required). */
  s3Client?: S3Client;
  /** Signer clock (epoch ms); injectable for tests. */
  now?: () => number;
  /** Fastify logger option; default off. */
  logger?: FastifyServerOptions['logger'];
}

const anonymous: Authenticate = () => 'anonymous';

function errorBody(code: ErrorBody['error']['code'], message: string): ErrorBody {
  return { error: { code, message } };
}

/** Builds the reference signer (docs/protocol.md). Call `listen()` or `inject()` on the result. */
export function buildSignerApp(config: SignerConfig, options: SignerAppOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 2 * 1024 * 1024,
    // Reject instead of silently fixing: no coercion ("5" is not 5), no stripping of unknown fields.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false },
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

  app.setErrorHandler((error: FastifyError | SignerHttpError, request, reply) => {
    if (error instanceof SignerHttpError) {
      if (error.statusCode >= 500) request.log.error({ err: error.cause ?? error }, error.message);
      if (error.retryAfter !== undefined) reply.header('Retry-After', String(error.retryAfter));
      return reply.status(error.statusCode).send(error.toBody());
    }
    if (error.validation) {
      const first = error.validation[0];
      const unknown = first?.keyword === 'additionalProperties' ? first.params.additionalProperty : undefined;
      const message =
        typeof unknown === 'string'
          ? `Invalid request: unknown field "${unknown}" at ${error.validationContext ?? 'body'}${first?.instancePath ?? ''}.`
          : `Invalid request: ${error.message}.`;
      return reply.status(400).send(errorBody('BAD_REQUEST', `${message} See docs/protocol.md.`));
    }
    const status = error.statusCode ?? 500;
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

  const deps = {
    config,
    s3: options.s3Client ?? createS3Client(config.s3),
    authenticate: options.authenticate ?? anonymous,
    now: options.now ?? Date.now,
  };
  app.register(
    async (scope) => {
      registerRoutes(scope, deps);
    },
    { prefix: config.basePath },
  );
  return app;
}
