import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'deploy/grafana/dashboards');

interface Target {
  datasource: { uid: string; type: string };
  expr?: string;
  rawSql?: string;
}
interface Panel {
  title: string;
  type: string;
  targets?: Target[];
  fieldConfig?: { defaults?: { links?: { url: string }[] } };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string }[] };
  links: { url?: string; type: string }[];
}

async function load(): Promise<Map<string, Dashboard>> {
  const out = new Map<string, Dashboard>();
  for (const f of (await readdir(dir)).filter((x) => x.endsWith('.json'))) {
    const d = JSON.parse(await readFile(join(dir, f), 'utf8')) as Dashboard;
    expect(out.has(d.uid), `duplicate uid ${d.uid}`).toBe(false);
    out.set(d.uid, d);
  }
  return out;
}

describe('Grafana dashboards', () => {
  it('are the overview, host drill-down, rollout and pipeline dashboards', async () => {
    expect([...(await load()).keys()].sort()).toEqual([
      'sandtrap-host',
      'sandtrap-overview',
      'sandtrap-pipeline',
      'sandtrap-rollout',
    ]);
  });

  it('use only the provisioned datasources, with a query in every target', async () => {
    const provisioned = parse(
      await readFile(join(root, 'deploy/grafana/provisioning/datasources/sandtrap.yml'), 'utf8'),
    ) as { datasources: { uid: string; type: string }[] };
    const byUid = new Map(provisioned.datasources.map((d) => [d.uid, d.type]));
    for (const d of (await load()).values()) {
      for (const p of d.panels) {
        expect(p.targets?.length, `${d.uid} / ${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets!) {
          expect(byUid.get(t.datasource.uid), `${d.uid} / ${p.title}`).toBe(t.datasource.type);
          expect(t.expr ?? t.rawSql, `${d.uid} / ${p.title}`).toBeTruthy();
        }
      }
    }
  });

  it('the overview has host, action and syscall variables and links into the drill-down', async () => {
    const overview = (await load()).get('sandtrap-overview')!;
    expect(overview.templating.list.map((v) => v.name)).toEqual(['host', 'action', 'syscall']);
    expect(overview.links.some((l) => l.url?.startsWith('/d/sandtrap-host/'))).toBe(true);
    const topHosts = overview.panels.find((p) => p.title.startsWith('Top hosts'))!;
    expect(topHosts.fieldConfig?.defaults?.links?.[0]?.url).toContain(
      '/d/sandtrap-host/sandtrap-host?var-host=${__field.labels.host}',
    );
    for (const title of [
      'Violations by action',
      'Blocked',
      'Killed',
      'Top syscalls',
      'Top hosts',
      'Top binaries',
    ]) {
      expect(
        overview.panels.some((p) => p.title.startsWith(title)),
        title,
      ).toBe(true);
    }
  });

  it('the host dashboard lists the latest blocked events with pid, exe, container and policy', async () => {
    const host = (await load()).get('sandtrap-host')!;
    const table = host.panels.find((p) => p.title === 'Latest blocked events')!;
    expect(table.type).toBe('table');
    const sql = table.targets![0]!.rawSql!;
    for (const column of ['v.pid', 'v.exe', 'container', 'v.policy', '$__timeFilter(v.observed_at)'])
      expect(sql).toContain(column);
  });
});
