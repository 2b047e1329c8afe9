import pg from 'pg';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dataSourceOptions, migrateUnderLock } from '@sandtrap/api';
import { migrations } from '@sandtrap/migrations';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

async function tablesOf(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ t: string }>(
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename !~ '_p\\d{8}$' ORDER BY 1`,
    );
    return rows.map((r) => r.t);
  } finally {
    await c.end();
  }
}

describe('migrations', () => {
  const dbs: TestDatabase[] = [];
  afterAll(() => Promise.all(dbs.map((d) => d.drop())));

  it('two replicas migrating one fresh database at once both succeed, and each migration runs once', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const sources = [new DataSource(dataSourceOptions(db.url)), new DataSource(dataSourceOptions(db.url))];
    await Promise.all(sources.map((s) => s.initialize()));
    try {
      const ran = await Promise.all(sources.map((s) => migrateUnderLock(s)));
      expect(ran.flat().sort()).toEqual(migrations.map((m) => new m().name ?? m.name).sort());
      expect(ran.some((r) => r.length === 0)).toBe(true);
      const rows = await sources[0].query(
        `SELECT name, count(*)::int AS n FROM schema_migrations GROUP BY name`,
      );
      expect(rows).toHaveLength(migrations.length);
      expect(rows.every((r: { n: number }) => r.n === 1)).toBe(true);
      expect(await tablesOf(db.url)).toEqual(
        expect.arrayContaining(['audit_log', 'hosts', 'tokens', 'violations']),
      );
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
    }
  });

  it('every migration goes down cleanly and up again', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const source = await new DataSource(dataSourceOptions(db.url)).initialize();
    try {
      await migrateUnderLock(source);
      for (let i = 0; i < migrations.length; i++) await source.undoLastMigration({ transaction: 'each' });
      expect(await tablesOf(db.url)).toEqual(['schema_migrations']);
      expect(await migrateUnderLock(source)).toHaveLength(migrations.length);
    } finally {
      await source.destroy();
    }
  });

  it('names the platform constraints readably', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const source = await new DataSource(dataSourceOptions(db.url)).initialize();
    try {
      await migrateUnderLock(source);
      const rows: Array<{ conname: string }> = await source.query(
        `SELECT conname FROM pg_constraint WHERE conrelid IN ('hosts'::regclass, 'tokens'::regclass, 'audit_log'::regclass)`,
      );
      const names = rows.map((r) => r.conname);
      expect(names).toEqual(
        expect.arrayContaining([
          'hosts_pkey',
          'hosts_name_key',
          'tokens_pkey',
          'tokens_role_check',
          'tokens_host_id_fkey',
        ]),
      );
      expect(names.filter((n) => /^(PK|FK|UQ|REL|CHK)_[0-9a-f]/.test(n))).toEqual([]);
    } finally {
      await source.destroy();
    }
  });
});

/** An entity that disagrees with the migrations (a column they do not create): drift to detect. */
@Entity({ name: 'audit_log' })
class DriftingAuditEntry {
  @PrimaryColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text', name: 'not_in_any_migration' }) extra!: string;
}

describe('entity drift check', () => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  it('sees an entity change that has no migration (so the app-wide check below can fail)', async () => {
    db = await createTestDatabase();
    const migrated = await new DataSource(dataSourceOptions(db.url)).initialize();
    await migrateUnderLock(migrated);
    await migrated.destroy();
    const source = await new DataSource(dataSourceOptions(db.url, [DriftingAuditEntry])).initialize();
    try {
      const sql = await source.driver.createSchemaBuilder().log();
      expect(sql.upQueries.map((q) => q.query).join('\n')).toContain('not_in_any_migration');
    } finally {
      await source.destroy();
    }
  });
});

describe('the running app and its database', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('has no entity change without its migration (schema builder has nothing to do)', async () => {
    t = await startTestApp();
    const source = t.app.get(DataSource);
    const sql = await source.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('is ready while the database answers and 503 while it does not', async () => {
    const ok = await t.request.get('/readyz');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'ready' });
    expect((await t.request.get('/healthz')).body).toEqual({ status: 'ok' });

    const admin = new pg.Client({ connectionString: inject('postgresUrl') });
    await admin.connect();
    const name = new URL(t.databaseUrl).pathname.slice(1);
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();

    const down = await t.request.get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('unavailable');
    expect((await t.request.get('/healthz')).status).toBe(200);
    // Other routes say the same: 503 with Retry-After, not a 500.
    const list = await t.request.get('/v1/tokens').set('authorization', `Bearer ${t.adminToken}`);
    expect(list.status).toBe(503);
    expect(list.body.error.code).toBe('unavailable');
    expect(list.headers['retry-after']).toBe('5');
  });
});
