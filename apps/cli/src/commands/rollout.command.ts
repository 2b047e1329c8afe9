import type { Command } from 'commander';
import { ApiClient } from '../api/api-client.js';
import { withServerOptions, type CommonOptions } from '../api/cli-options.js';
import { renderTable } from '../output/table.js';
import { runCli } from './policy.command.js';

interface AssignmentView {
  id: string;
  policy: string;
  version: number;
  previousVersion: number | null;
  mode: string;
  stage: string;
  summary: Record<string, number>;
  hosts?: {
    host: string;
    canary: boolean;
    version: number | null;
    status: string;
    error: string | null;
    reportedSha256: string | null;
  }[];
}

const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

export function registerRolloutCommand(program: Command): void {
  const rollout = program.command('rollout').description('Policy rollouts across the fleet');
  withServerOptions(
    rollout
      .command('status')
      .description('Every assignment with hosts by status, or one assignment host by host')
      .argument('[assignment]', 'assignment id'),
  ).action((id: string | undefined, o: CommonOptions) =>
    runCli(async () => {
      const client = new ApiClient(o);
      if (id) {
        const { body } = await client.request<AssignmentView>(
          'GET',
          `/v1/assignments/${encodeURIComponent(id)}`,
        );
        if (o.output === 'json') return print(JSON.stringify(body, null, 2));
        print(
          `${body.policy} v${body.version} (${body.mode}) stage ${body.stage}${body.previousVersion ? `, previous v${body.previousVersion}` : ''}`,
        );
        print(
          renderTable(
            ['HOST', 'CANARY', 'VERSION', 'STATUS', 'REPORTED', 'ERROR'],
            (body.hosts ?? []).map((h) => [
              h.host,
              h.canary ? 'yes' : '',
              h.version,
              h.status,
              h.reportedSha256?.slice(0, 12),
              h.error,
            ]),
          ),
        );
        return;
      }
      const body = { items: await client.all<AssignmentView>('/v1/assignments') };
      if (o.output === 'json') return print(JSON.stringify(body, null, 2));
      if (body.items.length === 0) return print('no assignments');
      print(
        renderTable(
          ['ID', 'POLICY', 'VERSION', 'MODE', 'STAGE', 'APPLIED', 'PENDING', 'FAILED', 'DRIFT', 'WAITING'],
          body.items.map((a) => [
            a.id,
            a.policy,
            a.version,
            a.mode,
            a.stage,
            a.summary.applied,
            a.summary.pending,
            a.summary.failed,
            a.summary.drift,
            a.summary.waiting,
          ]),
        ),
      );
    }),
  );
}
