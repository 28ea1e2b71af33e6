import { z } from 'zod';

// French messages for the checks below that carry none of their own (e.g. LOG_LEVEL), even
// when this module is loaded without app.ts (which sets the same locale).
z.config(z.locales.fr());

/**
 * Configuration comes only from the environment, validated once at start-up.
 * Every variable is documented in README.md (section « Configuration »).
 */
const bool = z
  .enum(['on', 'off', 'true', 'false', '1', '0'], { message: 'doit valoir « on » ou « off »' })
  .transform((v) => v === 'on' || v === 'true' || v === '1');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce
      .number({ message: 'doit être un nombre' })
      .int('doit être un nombre entier')
      .min(1, 'doit être compris entre 1 et 65535')
      .max(65535, 'doit être compris entre 1 et 65535')
      .default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'doit commencer par postgres:// ou postgresql://')
      .optional(),
    HYGIE_DATA_DIR: z.string().min(1).default('./data'),
    HYGIE_DEMO: bool.optional(),
    PUBLIC_URL: z.url({ message: 'doit être une adresse complète, par exemple https://hygie.example.fr' }).optional(),
    SESSION_SECRET: z.string().min(32, 'doit contenir au moins 32 caractères').optional(),
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(30),
    SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
    TRUST_PROXY: bool.optional(),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1, 'doit être au moins 1').default(30),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'doit commencer par smtp:// ou smtps://')
      .optional(),
    SMTP_FROM: z.string().min(3).default('Hygie <ne-pas-repondre@hygie.local>'),
    OIDC_ISSUER: z.url({ message: 'doit être une adresse complète' }).optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_ACR: z.string().min(1).default('eidas1'),
    OIDC_LABEL: z.string().min(1).default('Pro Santé Connect'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'est obligatoire en production' });
    }
    if (env.NODE_ENV === 'production' && env.HYGIE_DEMO === true) {
      ctx.addIssue({ code: 'custom', path: ['HYGIE_DEMO'], message: 'les données de démonstration sont refusées en production' });
    }
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET].filter(Boolean).length;
    if (oidc > 0 && oidc < 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['OIDC_ISSUER'],
        message: 'OIDC_ISSUER, OIDC_CLIENT_ID et OIDC_CLIENT_SECRET vont ensemble',
      });
    }
  });

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  /** Load the demo data: defaults to on in embedded mode outside production. */
  demo: boolean;
  publicUrl: string;
  sessionSecret?: string;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  logLevel: string;
  /** Behind a reverse proxy: take the client address from X-Forwarded-For. */
  trustProxy: boolean;
  /** Requests per minute and address on the endpoints open without a session (login, reset, invitations). */
  rateLimitPerMinute: number;
  smtpUrl?: string;
  smtpFrom: string;
  oidc?: { issuer: string; clientId: string; clientSecret: string; acr: string; label: string };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Configuration invalide :\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, the way shells and .env files are written.
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0] ?? '?')} ${i.message}`));
  }
  const e = parsed.data;
  const port = e.PORT;
  return {
    env: e.NODE_ENV,
    port,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.HYGIE_DATA_DIR,
    demo: e.HYGIE_DEMO ?? (!e.DATABASE_URL && e.NODE_ENV !== 'production'),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    sessionSecret: e.SESSION_SECRET,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    sessionMaxHours: e.SESSION_MAX_HOURS,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY ?? false,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
        ? { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, acr: e.OIDC_ACR, label: e.OIDC_LABEL }
        : undefined,
  };
}
