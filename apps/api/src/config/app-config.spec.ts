import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config.js';

function problemsOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loadConfig accepted a bad environment');
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: path.resolve('.sandtrap'),
      logLevel: 'info',
      retentionDays: 30,
      rollupRetentionDays: 400,
      localAgent: 'auto',
      embeddedPgPort: 5433,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://u@db:5432/x',
      SANDTRAP_DATA_DIR: '/var/lib/sandtrap',
      SANDTRAP_ADMIN_TOKEN: 'a-long-enough-admin-token',
      SANDTRAP_LOG_LEVEL: 'debug',
      SANDTRAP_RETENTION_DAYS: '7',
      SANDTRAP_ROLLUP_RETENTION_DAYS: '90',
      SANDTRAP_METRICS_TOKEN: 'm',
      SANDTRAP_LOCAL_AGENT: 'off',
      SANDTRAP_EMBEDDED_PG_PORT: '6543',
    });
    expect(c).toMatchObject({
      port: 9000,
      databaseUrl: 'postgres://u@db:5432/x',
      dataDir: '/var/lib/sandtrap',
      adminToken: 'a-long-enough-admin-token',
      retentionDays: 7,
      metricsToken: 'm',
      localAgent: 'off',
      embeddedPgPort: 6543,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://x'],
    ['SANDTRAP_LOG_LEVEL', 'loud'],
    ['SANDTRAP_RETENTION_DAYS', '0'],
    ['SANDTRAP_ROLLUP_RETENTION_DAYS', '-3'],
    ['SANDTRAP_ADMIN_TOKEN', 'short'],
    ['SANDTRAP_LOCAL_AGENT', 'maybe'],
    ['SANDTRAP_EMBEDDED_PG_PORT', 'x'],
  ])('refuses %s=%j naming the variable', (variable, value) => {
    const e = problemsOf({ [variable]: value });
    expect(e.problems.map((p) => p.variable)).toEqual([variable]);
    expect(e.message).toContain(variable);
    expect(e.code).toBe('invalid_config');
  });

  it('does not echo secrets it refuses', () => {
    expect(problemsOf({ SANDTRAP_ADMIN_TOKEN: 'hunter2' }).message).not.toContain('hunter2');
    expect(problemsOf({ DATABASE_URL: 'mysql://u:pw-secret@x' }).message).not.toContain('pw-secret');
    expect(problemsOf({ PORT: 'eighty' }).message).toContain('eighty');
  });

  it('names every bad variable at once', () => {
    const e = problemsOf({ PORT: 'x', SANDTRAP_LOG_LEVEL: 'y' });
    expect(e.problems.map((p) => p.variable).sort()).toEqual(['PORT', 'SANDTRAP_LOG_LEVEL']);
  });

  it('treats empty optional values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', SANDTRAP_ADMIN_TOKEN: '' })).toMatchObject({
      databaseUrl: undefined,
      adminToken: undefined,
    });
  });

  it('stops on a bad webhook network list, naming the variable and the entry', () => {
    const e = problemsOf({ SANDTRAP_WEBHOOK_DENY_NETWORKS: '10.0.0.0/8,metadata' });
    expect(e.problems[0]?.variable).toBe('SANDTRAP_WEBHOOK_DENY_NETWORKS');
    expect(e.message).toContain('"metadata" is not an IPv4 or IPv6 network');
  });
});
