import type { EventShape } from '../ingest/ingest-batch.js';

export const WEBHOOK_FORMATS = ['generic', 'slack', 'alertmanager'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** What a rule counts; every given list must contain the event's value, labels must all match. */
export interface AlertMatch {
  actions?: string[];
  syscalls?: string[];
  hosts?: string[];
  hostLabels?: Record<string, string>;
  exes?: string[];
}

export interface AlertRule {
  id: string;
  name: string;
  match: AlertMatch;
  threshold: number;
  windowSeconds: number;
  webhookUrl: string;
  webhookFormat: WebhookFormat;
  enabled: boolean;
  createdAt: string;
  createdBy: string;
}

/** One offending event as a delivery carries it. */
export interface AlertEvent {
  observedAt: string;
  host: string;
  action: string;
  syscall: string | null;
  pid: number | null;
  exe: string | null;
  container: string | null;
  policy: string | null;
}

/**
 * Whether an event of a batch could count for the rule. Host labels live in the hosts table,
 * so they are checked by the windowed count in SQL, not here.
 */
export function eventMayMatch(match: AlertMatch, e: EventShape): boolean {
  const has = (list: string[] | undefined, value: string | undefined) =>
    list === undefined || list.length === 0 || (value !== undefined && list.includes(value));
  return (
    has(match.actions, e.action) &&
    has(match.syscalls, e.syscall?.name) &&
    has(match.hosts, e.host) &&
    has(match.exes, e.process?.exe)
  );
}
