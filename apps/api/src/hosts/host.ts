/** How long a host stays "reporting" after its last heartbeat or event. */
export const REPORTING_WINDOW_MS = 5 * 60 * 1000;

export type HostState = 'reporting' | 'silent';

export interface Host {
  id: string;
  name: string;
  labels: Record<string, string>;
  bootId: string | null;
  kernel: string | null;
  arch: string | null;
  agentVersion: string | null;
  firstSeen: string;
  lastSeen: string;
  lastHeartbeat: string | null;
  health: Record<string, unknown> | null;
  state: HostState;
  /** Set when the host was retired (decommissioned); its stored events are kept. */
  retiredAt: string | null;
  retiredBy: string | null;
}

/**
 * Which hosts a policy assignment targets: every label of `matchLabels` must be on the host and,
 * when `hostNames` is given, the host must be one of them. An empty selector matches every host.
 */
export interface HostSelector {
  matchLabels?: Record<string, string>;
  hostNames?: string[];
}

export function hostMatchesSelector(host: Pick<Host, 'name' | 'labels'>, selector: HostSelector): boolean {
  const labelsMatch = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => host.labels[k] === v);
  const nameMatches = selector.hostNames === undefined || selector.hostNames.includes(host.name);
  return labelsMatch && nameMatches;
}

export function stateOf(lastSeen: Date, lastHeartbeat: Date | null, now: Date): HostState {
  const latest = Math.max(lastSeen.getTime(), lastHeartbeat?.getTime() ?? 0);
  return now.getTime() - latest <= REPORTING_WINDOW_MS ? 'reporting' : 'silent';
}
