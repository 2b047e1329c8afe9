import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPrometheus, type TestPrometheus } from './support/prometheus.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The whole observability path with real parts: the API (real Postgres) takes events through
 * its HTTP ingest, a real Prometheus scrapes it every second with the real rules file, and
 * then every dashboard query runs against that Prometheus or that Postgres, and an alert fires.
 */

const root = new URL('..', import.meta.url).pathname;
const dashboardsDir = join(root, 'deploy/grafana/dashboards');
const HOST = 'prom-host-1';

// Queries of series this test cannot produce: they must run without error but may be empty.
const MAY_BE_EMPTY: Array<[RegExp, string]> = [
  [/outcome="failed"/, 'needs the database to refuse a batch'],
  [/sandtrap_ingest_kernel_records_lost_total/, 'needs audit lines reporting lost records'],
];

interface Target {
  refId: string;
  expr?: string;
  rawSql?: string;
  datasource: { uid: string };
}
interface Panel {
  title: string;
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query: { query: string } | string }[] };
}

async function dashboards(): Promise<Dashboard[]> {
  const files = (await readdir(dashboardsDir)).filter((f) => f.endsWith('.json'));
  return Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(dashboardsDir, f), 'utf8')) as Dashboard),
  );
}

/** Grafana's variables as it would fill them: "All" is `.*`, the host dashboard has one host. */
function expandPromQL(expr: string, dashboardUid: string): string {
  const host = dashboardUid === 'sandtrap-host' ? HOST : '.*';
  return (
    expr
      .replaceAll('$__rate_interval', '20s')
      .replaceAll('$__range', '10m')
      .replaceAll('$__interval', '5s')
      .replaceAll('$host', host)
      .replaceAll('$action', '.*')
      .replaceAll('$syscall', '.*')
      .replaceAll('$policy', '.*')
      .replaceAll('$source', '.*')
      // a panel's "or vector(0)" shows 0 instead of "No data"; the test wants the real data
      .replaceAll(/\s+or vector\(0\)/g, '')
  );
}

/** Grafana's Postgres macros for a time range, and the variables. */
function expandSql(sql: string, dashboardUid: string, from: Date, to: Date): string {
  const host = dashboardUid === 'sandtrap-host' ? HOST : '.*';
  return sql
    .replaceAll(/\$__timeFilter\(([^)]+)\)/g, `$1 BETWEEN '${from.toISOString()}' AND '${to.toISOString()}'`)
    .replaceAll(
      /\$__timeGroupAlias\(([^,]+),\s*\$__interval\)/g,
      `to_timestamp(floor(extract(epoch FROM $1) / 60) * 60) AS "time"`,
    )
    .replaceAll('${host:regex}', '.*')
    .replaceAll('${action:regex}', '.*')
    .replaceAll('${syscall:regex}', '.*')
    .replaceAll('$host', host);
}

function event(i: number, host: string, over: Record<string, unknown>): Record<string, unknown> {
  return {
    eventKey: `boot-e2e:${host}:${i}`,
    observedAt: new Date(Date.now() - 1000).toISOString().replace('Z', '000Z'),
    host,
    source: 'auditd',
    kind: 'seccomp',
    action: 'errno',
    blocked: true,
    syscall: { arch: 'x86_64', nr: 165, name: 'mount' },
    process: { pid: 4000 + i, comm: 'curl', exe: '/usr/bin/curl' },
    container: { id: 'c0ffee', name: 'web' },
    policy: 'nginx',
    errno: { nr: 1, name: 'EPERM' },
    ...over,
  };
}

function wave(base: number): Record<string, unknown>[] {
  const events = [
    event(base + 1, HOST, {
      action: 'kill_process',
      syscall: { arch: 'x86_64', nr: 101, name: 'ptrace' },
      signal: { nr: 31, name: 'SIGSYS' },
    }),
    event(base + 2, HOST, {}),
    event(base + 3, HOST, {}),
    event(base + 4, HOST, {
      action: 'log',
      blocked: false,
      syscall: { arch: 'x86_64', nr: 257, name: 'openat' },
    }),
    event(base + 5, 'prom-host-2', { source: 'kmsg', syscall: { arch: 'x86_64', nr: 321, name: 'bpf' } }),
  ];
  // more distinct syscalls than the test's series cap (6), so folding shows up too
  for (let n = 0; n < 6; n++) {
    events.push(
      event(base + 10 + n, 'prom-host-2', { syscall: { arch: 'x86_64', nr: 200 + n, name: `sys_${n}` } }),
    );
  }
  return events;
}

describe('dashboards and alerts against a real Prometheus scraping the real service', () => {
  let t: TestApp;
  let prom: TestPrometheus;
  let started: Date;
  let ingestToken: string;

  const ingest = async (lines: string[]) => {
    const res = await supertest(t.baseUrl)
      .post('/v1/ingest/events')
      .set('authorization', `Bearer ${ingestToken}`)
      .set('content-type', 'application/x-ndjson')
      .send(lines.join('\n') + '\n');
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body as { accepted: number; duplicates: number; rejected: number };
  };

  beforeAll(async () => {
    started = new Date(Date.now() - 60_000);
    process.env.SANDTRAP_METRICS_MAX_SERIES = '6';
    t = await startTestApp();
    ingestToken = await t.tokenFor('ingest');
    const enroll = await t.request
      .post('/v1/hosts/enroll')
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ hostname: HOST });
    const { hostId, token } = enroll.body as { hostId: string; token: string };
    const beat = await supertest(t.baseUrl)
      .post(`/v1/hosts/${hostId}/heartbeat`)
      .set('authorization', `Bearer ${token}`)
      .send({
        stats: {
          eventsRead: 9,
          eventsShipped: 9,
          eventsDropped: 1,
          spoolDepth: 5,
          spoolBytes: 900,
          lostKernelRecords: 2,
        },
      });
    expect(beat.status).toBe(204);

    // a policy assigned to the host, so the rollout dashboard has hosts to count
    const operator = { authorization: `Bearer ${await t.tokenFor('operator')}` };
    const policy = await t.request
      .post('/v1/policies')
      .set(operator)
      .send({
        name: 'nginx',
        profile: {
          defaultAction: 'SCMP_ACT_ERRNO',
          architectures: ['SCMP_ARCH_X86_64'],
          syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }],
        },
      });
    expect(policy.status).toBe(201);
    const assign = await t.request
      .post('/v1/assignments')
      .set(operator)
      .send({ policy: 'nginx', version: 1, selector: { hostNames: [HOST] }, mode: 'enforce' });
    expect(assign.status).toBe(201);

    const first = wave(0).map((e) => JSON.stringify(e));
    const r1 = await ingest([...first, '{"this is": garbage', '\u0000\u00ff not json']);
    expect(r1).toMatchObject({ accepted: first.length, rejected: 2 });

    prom = await startPrometheus({
      target: new URL(t.baseUrl).host,
      ruleFiles: [join(root, 'deploy/prometheus/rules/sandtrap.rules.yml')],
    });
    await eventually(
      async () => ((await prom.query('sandtrap_violations_total')).length > 0 ? true : undefined),
      20_000,
      'the first scrape',
    );
    await new Promise((r) => setTimeout(r, 3000));
    // a second wave, plus a resend of the first (duplicates), so rates and increases move
    const r2 = await ingest([...wave(100).map((e) => JSON.stringify(e)), ...first]);
    expect(r2).toMatchObject({ accepted: 11, duplicates: first.length });
    await new Promise((r) => setTimeout(r, 4000));
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    await t?.close();
    delete process.env.SANDTRAP_METRICS_MAX_SERIES;
  });

  it('every PromQL target of every dashboard runs without error and returns data', async () => {
    const checked: string[] = [];
    for (const d of await dashboards()) {
      for (const panel of d.panels) {
        for (const target of panel.targets ?? []) {
          if (target.expr === undefined) continue;
          const expr = expandPromQL(target.expr, d.uid);
          expect(expr, `${d.uid} / ${panel.title}: unexpanded variable`).not.toMatch(/\$\w/);
          const result = await prom.queryRange(expr, started);
          const allowed = MAY_BE_EMPTY.find(([re]) => re.test(expr));
          if (!allowed)
            expect(result.length, `${d.uid} / ${panel.title} / ${target.refId}: ${expr}`).toBeGreaterThan(0);
          checked.push(expr);
        }
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(30);
  });

  it('every dashboard variable query finds values', async () => {
    for (const d of await dashboards()) {
      for (const v of d.templating.list) {
        const q = typeof v.query === 'string' ? v.query : v.query.query;
        const m = /^label_values\((\w+),\s*(\w+)\)$/.exec(q);
        expect(m, `${d.uid} $${v.name}: ${q}`).not.toBeNull();
        const values = await prom.labelValues(m![2]!, m![1]!);
        if (!MAY_BE_EMPTY.some(([re]) => re.test(q)))
          expect(values.length, `${d.uid} $${v.name}`).toBeGreaterThan(0);
      }
    }
    expect(await prom.labelValues('host', 'sandtrap_violations_total')).toEqual(
      expect.arrayContaining([HOST, 'prom-host-2']),
    );
  });

  it('every SQL target of every dashboard returns rows from the real Postgres', async () => {
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    let checked = 0;
    try {
      for (const d of await dashboards()) {
        for (const panel of d.panels) {
          for (const target of panel.targets ?? []) {
            if (target.rawSql === undefined) continue;
            const sql = expandSql(
              target.rawSql,
              d.uid,
              new Date(Date.now() - 3600_000),
              new Date(Date.now() + 60_000),
            );
            expect(sql, `${d.uid} / ${panel.title}: unexpanded macro`).not.toMatch(/\$\w/);
            const { rows } = await client.query(sql);
            expect(rows.length, `${d.uid} / ${panel.title}`).toBeGreaterThan(0);
            checked++;
          }
        }
      }
      // the latest blocked events carry what an operator needs
      const d = (await dashboards()).find((x) => x.uid === 'sandtrap-host')!;
      const table = d.panels.find((p) => p.title === 'Latest blocked events')!;
      const { rows } = await client.query(
        expandSql(
          table.targets![0]!.rawSql!,
          d.uid,
          new Date(Date.now() - 3600_000),
          new Date(Date.now() + 60_000),
        ),
      );
      expect(rows[0]).toMatchObject({ exe: '/usr/bin/curl', container: 'web', policy: 'nginx' });
      // newest first: the second wave's kill (pid 4101) before the first's (4001)
      const kills = rows.filter((r: { action: string }) => r.action === 'kill_process') as {
        syscall: string;
        pid: number;
      }[];
      expect(kills.map((k) => [k.syscall, k.pid])).toEqual([
        ['ptrace', 4101],
        ['ptrace', 4001],
      ]);
    } finally {
      await client.end();
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('counts what the ingest really did, including folded series past the cap', async () => {
    const value = async (expr: string) => Number((await prom.query(expr))[0]?.value[1] ?? NaN);
    expect(await value('sum(sandtrap_ingest_events_accepted_total)')).toBe(22);
    expect(await value('sum(sandtrap_ingest_events_duplicate_total)')).toBe(11);
    expect(await value('sum(sandtrap_ingest_events_rejected_total)')).toBe(2);
    expect(await value('sum(sandtrap_violations_total)')).toBe(22);
    expect(
      await value(
        'sum(sandtrap_violations_total{action="kill_process",host="prom-host-1",syscall="ptrace"})',
      ),
    ).toBe(2);
    expect(await value('sum(sandtrap_violation_series_folded_total)')).toBeGreaterThan(0);
    expect(await value('sum(sandtrap_violation_series)')).toBeLessThanOrEqual(6 + 2);
  });

  it('fires SandtrapProcessKilledBySeccomp naming the host and syscall', async () => {
    const alert = await eventually(
      async () =>
        (await prom.alerts()).find(
          (a) => a.labels.alertname === 'SandtrapProcessKilledBySeccomp' && a.state === 'firing',
        ),
      30_000,
      'the kill alert to fire',
    );
    expect(alert.labels).toMatchObject({
      host: HOST,
      syscall: 'ptrace',
      action: 'kill_process',
      severity: 'critical',
    });
    expect(alert.annotations.summary).toBe(`Seccomp killed a process on ${HOST} (syscall ptrace)`);
    const firstTime = (await prom.alerts()).filter(
      (a) => a.labels.alertname === 'SandtrapSyscallBlockedFirstTime',
    );
    expect(firstTime.map((a) => `${a.labels.host}/${a.labels.syscall}`)).toContain(`${HOST}/ptrace`);
  });
});
