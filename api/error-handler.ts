import type { FastifyError, FastifyInstance } from 'fastify';
import { PathNotAllowedError } from '../core/paths';
import { ApiError, errorBody, type ApiErrorCode } from './errors';

const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

/** One place turns every thrown error into `{ error: { code, message } }` with the right status. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError | PathNotAllowedError, request, reply) => {
    if (error instanceof ApiError) {
      request.log.info({ code: error.code }, 'request refused');
      return reply
        .status(error.statusCode)
        .send(errorBody(error.code, error.message, error.details));
    }
    if (error instanceof PathNotAllowedError) {
      request.log.info({ code: 'PATH_NOT_ALLOWED', label: error.label }, 'request refused');
      return reply.status(400).send(errorBody('PATH_NOT_ALLOWED', error.message));
    }
    if (error.validation) {
      const issue = error.validation[0];
      const field = fieldOf(error.validationContext, issue?.instancePath, issue?.params);
      const message = `${field}: ${issue?.message ?? 'is invalid'}`;
      return reply.status(400).send(errorBody('VALIDATION_FAILED', message, { field }));
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) {
      return reply.status(error.statusCode ?? 400).send(errorBody(mapped, error.message));
    }
    if (error.statusCode === 429) {
      return reply
        .status(429)
        .send(errorBody('RATE_LIMITED', 'Too many requests, try again later.'));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody('VALIDATION_FAILED', error.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .status(500)
      .send(errorBody('INTERNAL', 'Something went wrong on the server; the log has the details.'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`)),
  );
}

function fieldOf(
  context: string | undefined,
  instancePath: string | undefined,
  params: Record<string, unknown> | undefined,
): string {
  const location = context ?? 'body';
  const pathPart = (instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const extra = (params?.additionalProperty ?? params?.missingProperty) as string | undefined;
  const parts = [pathPart, extra].filter(Boolean).join('.');

  return parts ? `${location}.${parts}` : location;
}
