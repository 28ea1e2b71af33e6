import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config';

/**
 * Structured JSON logs (pino). Secrets never reach them: cookies, CSRF tokens and
 * authorisation headers are redacted, and request bodies are not logged at all.
 */
export function loggerOptions(config: Pick<Config, 'logLevel'>): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]', '*.password', '*.token', '*.code', 'token', 'password'],
      censor: '[masqué]',
    },
    serializers: {
      req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
    },
  };
}

/** Query parameters that could carry a secret are masked (OIDC `code` and `state`, any `token`). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:code|state|token|nonce)=)[^&]*/gi, '$1[masqué]');
}
