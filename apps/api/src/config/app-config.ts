import path from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_WEBHOOK_DENY_NETWORKS,
  parseDeniedNetworks,
  type DeniedNetworks,
} from '../alert-rules/webhook-target.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce.number().int().min(0).max(65535);
const days = z.coerce.number().int().min(1).max(36500);
const rate = z.coerce.number().int().min(0).max(100_000_000);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** The environment variables the API reads, each validated with the message an operator needs. */
const ENV_SCHEMA = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
  ),
  SANDTRAP_DATA_DIR: z.string().min(1).default('./.sandtrap'),
  SANDTRAP_ADMIN_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  SANDTRAP_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SANDTRAP_RETENTION_DAYS: days.default(30),
  SANDTRAP_ROLLUP_RETENTION_DAYS: days.default(400),
  SANDTRAP_METRICS_TOKEN: optionalText,
  SANDTRAP_LOCAL_AGENT: z.enum(['auto', 'on', 'off']).default('auto'),
  SANDTRAP_EMBEDDED_PG_PORT: port.default(5433),
  // Requests per token per minute (0: unlimited); shippers (ingest, agent tokens) have their own.
  SANDTRAP_RATE_LIMIT_PER_MINUTE: rate.default(6000),
  SANDTRAP_INGEST_RATE_LIMIT_PER_MINUTE: rate.default(60000),
  // Networks alert webhooks may not reach (CIDR list, or "none").
  SANDTRAP_WEBHOOK_DENY_NETWORKS: z
    .string()
    .default(DEFAULT_WEBHOOK_DENY_NETWORKS)
    .transform((v, ctx) => {
      try {
        return parseDeniedNetworks(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

/** Never echoed back in an error: they hold credentials. */
const SECRET_VARIABLES = new Set(['DATABASE_URL', 'SANDTRAP_ADMIN_TOKEN', 'SANDTRAP_METRICS_TOKEN']);

export interface AppConfig {
  port: number;
  host: string;
  /** Unset: main.ts starts the embedded Postgres and fills this in before the app is created. */
  databaseUrl?: string;
  /** Absolute. */
  dataDir: string;
  adminToken?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  retentionDays: number;
  rollupRetentionDays: number;
  metricsToken?: string;
  localAgent: 'auto' | 'on' | 'off';
  embeddedPgPort: number;
  /** Requests a minute per token (per IP without one); 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** The same for `ingest` and `agent` tokens, which ship events in bursts. */
  ingestRateLimitPerMinute: number;
  /** Where alert webhooks may not connect (cloud metadata, this host by 0.0.0.0). */
  webhookDeniedNetworks: DeniedNetworks;
}

export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly problems: Array<{ variable: string; message: string }>) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment once, at boot; a bad value throws naming the variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = ENV_SCHEMA.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const variable = String(i.path[0] ?? '?');
        const got = SECRET_VARIABLES.has(variable) ? '' : ` (got ${JSON.stringify(env[variable] ?? null)})`;
        return { variable, message: `${i.message}${got}` };
      }),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.SANDTRAP_DATA_DIR),
    adminToken: e.SANDTRAP_ADMIN_TOKEN,
    logLevel: e.SANDTRAP_LOG_LEVEL,
    retentionDays: e.SANDTRAP_RETENTION_DAYS,
    rollupRetentionDays: e.SANDTRAP_ROLLUP_RETENTION_DAYS,
    metricsToken: e.SANDTRAP_METRICS_TOKEN,
    localAgent: e.SANDTRAP_LOCAL_AGENT,
    embeddedPgPort: e.SANDTRAP_EMBEDDED_PG_PORT,
    rateLimitPerMinute: e.SANDTRAP_RATE_LIMIT_PER_MINUTE,
    ingestRateLimitPerMinute: e.SANDTRAP_INGEST_RATE_LIMIT_PER_MINUTE,
    webhookDeniedNetworks: e.SANDTRAP_WEBHOOK_DENY_NETWORKS,
  };
}
