import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const rulesFile = join(root, 'deploy/prometheus/rules/sandtrap.rules.yml');
const rulesTests = join(root, 'deploy/prometheus/tests/sandtrap.rules.test.yml');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

async function alerts(): Promise<Rule[]> {
  const doc = parse(await readFile(rulesFile, 'utf8')) as RuleFile;
  return doc.groups.flatMap((g) => g.rules).filter((r) => r.alert);
}

async function promtool(...args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: root });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('Prometheus rules', () => {
  it('pass promtool check rules', async () => {
    const r = await promtool('check', 'rules', rulesFile);
    expect(r.output).toContain('SUCCESS');
    expect(r.ok).toBe(true);
  });

  it('pass their promtool unit tests', async () => {
    const r = await promtool('test', 'rules', rulesTests);
    expect(r.output, r.output).toContain('SUCCESS');
    expect(r.ok).toBe(true);
  });

  it('have a unit test that fires every alert', async () => {
    const tests = parse(await readFile(rulesTests, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const fired = new Set(
      tests.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
      ),
    );
    const quiet = new Set(
      tests.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname),
      ),
    );
    for (const a of await alerts()) {
      expect(fired, `${a.alert} never fires in a test`).toContain(a.alert);
      expect(quiet, `${a.alert} is never tested quiet`).toContain(a.alert);
    }
  });

  it('give every alert a severity, summary, description and a runbook anchor that exists', async () => {
    const runbook = await readFile(join(root, 'docs/runbook.md'), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const list = await alerts();
    expect(list.length).toBeGreaterThanOrEqual(12);
    for (const a of list) {
      expect(['critical', 'warning', 'info'], a.alert).toContain(a.labels?.severity);
      expect(a.annotations?.summary, a.alert).toBeTruthy();
      expect(a.annotations?.description, a.alert).toBeTruthy();
      const url = a.annotations?.runbook_url ?? '';
      expect(url, a.alert).toMatch(/docs\/runbook\.md#/);
      expect(anchors, `${a.alert} -> ${url}`).toContain(url.split('#')[1]);
    }
  });

  it('name the host and syscall in the violation alerts', async () => {
    for (const a of (await alerts()).filter((r) => r.expr.includes('sandtrap_violations_total{'))) {
      expect(a.annotations?.summary, a.alert).toContain('$labels.host');
    }
    const killed = (await alerts()).find((a) => a.alert === 'SandtrapProcessKilledBySeccomp');
    expect(killed?.annotations?.description).toContain('$labels.syscall');
  });

  it('fail promtool on a broken rule, so the checks above can fail', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandtrap-rules-'));
    try {
      const broken = join(dir, 'broken.yml');
      await writeFile(
        broken,
        'groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum by (host (up\n',
      );
      const r = await promtool('check', 'rules', broken);
      expect(r.ok).toBe(false);
      const garbage = join(dir, 'garbage.yml');
      await writeFile(garbage, '\u0000\u0001 not: [yaml');
      expect((await promtool('check', 'rules', garbage)).ok).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('has a valid Prometheus configuration for the compose stack', async () => {
    const r = await promtool(
      'check',
      'config',
      '--syntax-only',
      join(root, 'deploy/prometheus/prometheus.yml'),
    );
    expect(r.ok, r.output).toBe(true);
  });
});

describe('Alertmanager configuration', () => {
  const amtool = async (file: string) => {
    try {
      await run('amtool', ['check-config', file]);
      return true;
    } catch {
      return false;
    }
  };

  it('passes amtool check-config and routes every severity', async () => {
    const file = join(root, 'deploy/alertmanager/alertmanager.yml');
    expect(await amtool(file)).toBe(true);
    const doc = parse(await readFile(file, 'utf8')) as {
      route: { routes: { receiver: string; matchers: string[] }[] };
      receivers: { name: string }[];
    };
    const names = new Set(doc.receivers.map((r) => r.name));
    for (const sev of ['critical', 'warning', 'info']) {
      const route = doc.route.routes.find((r) => r.matchers.includes(`severity="${sev}"`));
      expect(route, sev).toBeDefined();
      expect(names).toContain(route!.receiver);
    }
  });

  it('amtool rejects a route to a missing receiver', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandtrap-am-'));
    try {
      const bad = join(dir, 'am.yml');
      await writeFile(bad, 'route:\n  receiver: nobody\nreceivers:\n  - name: someone\n');
      expect(await amtool(bad)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
