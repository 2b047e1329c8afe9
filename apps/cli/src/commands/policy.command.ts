import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { ApiClient, ApiError, describeApiError } from '../api/api-client.js';
import { parseLabelSelector, parseTime, withServerOptions, type CommonOptions } from '../api/cli-options.js';
import { renderTable } from '../output/table.js';

/** A policy as GET /v1/policies lists it (the columns shown). */
interface PolicyRow {
  name: string;
  latestVersion: number;
  sha256: string;
  updatedAt: string;
  description: string | null;
}

interface VersionAnswer {
  policy: string;
  version: number;
  sha256: string;
  unchanged?: boolean;
  warnings?: { code: string; pointer: string; message: string }[];
}

interface Outcome {
  action: string;
  errnoRet?: number;
  conditional?: boolean;
}

interface SimulatedGroup {
  host: string;
  syscall: string | null;
  arch: string;
  exe: string;
  container: string;
  recordedAction: string;
  action: string;
  count: number;
}

/** Runs a command body, printing the service's error and setting exit code 1 on failure. */
export async function runCli(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    process.stderr.write(
      `${error instanceof ApiError ? describeApiError(error) : `error: ${(error as Error).message}`}\n`,
    );
    process.exitCode = 1;
  }
}

const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};
const enc = encodeURIComponent;

export function registerPolicyCommand(program: Command): void {
  const policy = program.command('policy').description("Manage the fleet's seccomp profiles");

  withServerOptions(
    policy
      .command('apply')
      .description(
        'Create the policy, or make a new version of it from a profile file (OCI JSON or SPO YAML)',
      )
      .requiredOption('-f, --file <path>', 'profile file')
      .requiredOption('--name <name>', 'policy name')
      .option('-m, --message <text>', 'why this version')
      .option('--description <text>', 'description (on creation)'),
  ).action((o: CommonOptions & { file: string; name: string; message?: string; description?: string }) =>
    runCli(async () => {
      const client = new ApiClient(o);
      const text = await readFile(o.file, 'utf8');
      const profile = /^\s*[{[]/.test(text) ? (JSON.parse(text) as unknown) : text;
      let saved: VersionAnswer;
      try {
        const current = await client.request<{ version: number }>('GET', `/v1/policies/${enc(o.name)}`);
        saved = (
          await client.request<VersionAnswer>(
            'PUT',
            `/v1/policies/${enc(o.name)}`,
            { profile, message: o.message },
            { 'if-match': `"${current.body.version}"` },
          )
        ).body;
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        saved = (
          await client.request<VersionAnswer>('POST', '/v1/policies', {
            name: o.name,
            profile,
            message: o.message,
            description: o.description,
          })
        ).body;
      }
      if (o.output === 'json') return print(JSON.stringify(saved, null, 2));
      const what = saved.unchanged ? 'unchanged at' : saved.version === 1 ? 'created as' : 'updated to';
      print(`policy ${saved.policy} ${what} version ${saved.version} (sha256 ${saved.sha256.slice(0, 12)})`);
      for (const w of saved.warnings ?? []) print(`warning ${w.code} at ${w.pointer || '/'}: ${w.message}`);
    }),
  );

  withServerOptions(policy.command('list').description('Every policy with its latest version')).action(
    (o: CommonOptions) =>
      runCli(async () => {
        const client = new ApiClient(o);
        const body = { items: await client.all<PolicyRow>('/v1/policies') };
        if (o.output === 'json') return print(JSON.stringify(body, null, 2));
        print(
          renderTable(
            ['NAME', 'VERSION', 'SHA256', 'UPDATED', 'DESCRIPTION'],
            body.items.map((p) => [
              p.name,
              p.latestVersion,
              p.sha256.slice(0, 12),
              p.updatedAt,
              p.description,
            ]),
          ),
        );
      }),
  );

  withServerOptions(
    policy
      .command('diff')
      .description('Syscalls whose action changed between two versions, per arch')
      .argument('<name>')
      .argument('<from>', 'version')
      .argument('<to>', 'version'),
  ).action((name: string, from: string, to: string, o: CommonOptions) =>
    runCli(async () => {
      const { body } = await new ApiClient(o).request<{
        changes: { arch: string; syscall: string; from: Outcome; to: Outcome }[];
      }>('GET', `/v1/policies/${enc(name)}/diff?from=${enc(from)}&to=${enc(to)}`);
      if (o.output === 'json') return print(JSON.stringify(body, null, 2));
      if (body.changes.length === 0)
        return print(`no syscall changes action between versions ${from} and ${to}`);
      const show = (x: Outcome) =>
        `${x.action.replace('SCMP_ACT_', '')}${x.errnoRet !== undefined ? `(${x.errnoRet})` : ''}${x.conditional ? '*' : ''}`;
      print(
        renderTable(
          ['ARCH', 'SYSCALL', `V${from}`, `V${to}`],
          body.changes.map((c) => [c.arch, c.syscall, show(c.from), show(c.to)]),
        ),
      );
    }),
  );

  withServerOptions(
    policy
      .command('export')
      .description('Print a version as the bare profile file')
      .argument('<name>')
      .option('--version <n>', 'version (default: latest)')
      .addOption(new Option('--format <format>', 'file format').choices(['oci', 'spo']).default('oci')),
  ).action((name: string, o: CommonOptions & { version?: string; format: string }) =>
    runCli(async () => {
      const client = new ApiClient(o);
      const version =
        o.version ??
        String((await client.request<{ version: number }>('GET', `/v1/policies/${enc(name)}`)).body.version);
      const { text } = await client.request(
        'GET',
        `/v1/policies/${enc(name)}/versions/${enc(version)}/export?format=${o.format}`,
      );
      process.stdout.write(text);
    }),
  );

  withServerOptions(
    policy
      .command('simulate')
      .description('What a version would newly block or allow, replayed over recorded events')
      .argument('<name>')
      .option('--version <n>', 'version (default: latest)')
      .option('--from <time>', 'ISO time or duration back from now', '24h')
      .option('--to <time>', 'ISO time or duration back from now (default: now)')
      .option('--selector <labels>', 'host labels, key=value,key=value')
      .option('--hosts <names>', 'host names, comma separated'),
  ).action(
    (
      name: string,
      o: CommonOptions & { version?: string; from: string; to?: string; selector?: string; hosts?: string },
    ) =>
      runCli(async () => {
        const client = new ApiClient(o);
        const version =
          o.version ??
          String(
            (await client.request<{ version: number }>('GET', `/v1/policies/${enc(name)}`)).body.version,
          );
        const selector = {
          ...(o.selector ? { matchLabels: parseLabelSelector(o.selector) } : {}),
          ...(o.hosts ? { hostNames: o.hosts.split(',').filter(Boolean) } : {}),
        };
        const { body } = await client.request<{
          hosts: number;
          events: number;
          newlyBlocked: { events: number; groups: SimulatedGroup[] };
          newlyAllowed: { events: number; groups: SimulatedGroup[] };
          unchanged: { events: number };
        }>('POST', `/v1/policies/${enc(name)}/versions/${enc(version)}/simulate`, {
          from: parseTime(o.from),
          to: o.to ? parseTime(o.to) : new Date().toISOString(),
          selector,
        });
        if (o.output === 'json') return print(JSON.stringify(body, null, 2));
        print(`${name} v${version} over ${body.events} recorded events on ${body.hosts} host(s):`);
        print(
          `  newly blocked ${body.newlyBlocked.events}, newly allowed ${body.newlyAllowed.events}, unchanged ${body.unchanged.events}`,
        );
        for (const [title, cls] of [
          ['NEWLY BLOCKED', body.newlyBlocked],
          ['NEWLY ALLOWED', body.newlyAllowed],
        ] as const) {
          if (cls.groups.length === 0) continue;
          print(`\n${title}`);
          print(
            renderTable(
              ['HOST', 'SYSCALL', 'ARCH', 'EXE', 'CONTAINER', 'WAS', 'WOULD BE', 'EVENTS'],
              cls.groups.map((g) => [
                g.host,
                g.syscall,
                g.arch,
                g.exe,
                g.container || null,
                g.recordedAction,
                g.action,
                g.count,
              ]),
            ),
          );
        }
      }),
  );
}
