import { describe, expect, it } from 'vitest';
import { ConfigError, startServer } from '@sandtrap/api';

describe('start-up configuration', () => {
  it('refuses to start on a bad PORT, naming PORT', async () => {
    const start = startServer({ PORT: 'eighty', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/none' });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(/PORT/);
  });

  it('names each bad variable', async () => {
    const error = await startServer({
      SANDTRAP_LOG_LEVEL: 'chatty',
      SANDTRAP_RETENTION_DAYS: 'forever',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      'SANDTRAP_LOG_LEVEL',
      'SANDTRAP_RETENTION_DAYS',
    ]);
  });

  it('fails start-up (not hangs) when DATABASE_URL points nowhere', async () => {
    const began = Date.now();
    await expect(
      startServer({
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
        PORT: '0',
        SANDTRAP_ADMIN_TOKEN: 'unreachable-admin-token-0123',
        SANDTRAP_LOG_LEVEL: 'silent',
      }),
    ).rejects.toThrow(/ECONNREFUSED|connect/);
    expect(Date.now() - began).toBeLessThan(20_000);
  });
});
