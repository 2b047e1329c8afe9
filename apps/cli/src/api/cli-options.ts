import { Option, type Command } from 'commander';

export type OutputFormat = 'table' | 'json';

export interface CommonOptions {
  server?: string;
  token?: string;
  output: OutputFormat;
}

/** --server, --token and --output, on every command that talks to the service. */
export function withServerOptions(command: Command): Command {
  return command
    .option('--server <url>', 'Sandtrap API URL (env SANDTRAP_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env SANDTRAP_TOKEN)')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    );
}

/** `env=prod,role=web` -> {env: 'prod', role: 'web'}. */
export function parseLabelSelector(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`label selector "${pair}" is not key=value`);
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return labels;
}

/** An ISO time, or a duration back from now: `24h`, `30m`, `7d`. */
export function parseTime(text: string, now = Date.now()): string {
  const rel = /^(\d+)([smhd])$/.exec(text);
  if (rel) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(rel[1]) * unit).toISOString();
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new Error(`"${text}" is neither an ISO time nor a duration like 24h`);
  return new Date(t).toISOString();
}
