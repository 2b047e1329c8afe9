import { createHash } from 'node:crypto';
import type { Assignment, HostRolloutStatus } from './assignment.js';

/**
 * The version of an assignment that a host should run, or undefined when none: canary hosts run
 * the new version during the canary stage and the others keep the previous one; a rollback puts
 * every host back on the previous version (none, if there was none).
 */
export function effectiveVersion(assignment: Assignment, hostId: string): number | undefined {
  switch (assignment.stage) {
    case 'complete':
      return assignment.version;
    case 'canary':
      return assignment.canaryHostIds.includes(hostId)
        ? assignment.version
        : (assignment.previousVersion ?? undefined);
    case 'rolled_back':
      return assignment.previousVersion ?? undefined;
  }
}

/**
 * The canary hosts for a share of the selected ones: at least one, chosen by a hash of the host id
 * and a seed (the assignment), so the choice is stable and spreads across assignments.
 */
export function pickCanaryHosts(hostIds: string[], share: number, seed: string): string[] {
  const count = Math.min(hostIds.length, Math.max(1, Math.ceil(hostIds.length * share)));
  const rank = (id: string) => createHash('sha256').update(`${seed}:${id}`).digest('hex');
  return [...hostIds].sort((a, b) => (rank(a) < rank(b) ? -1 : 1)).slice(0, count);
}

/**
 * Where a host stands on one profile: `applied` when it reports the assigned hash, `failed` when
 * it reports an error, `drift` when its report since the assignment last changed shows another
 * hash (or none), `pending` while it has not reported since.
 */
export function hostRolloutStatus(
  expectedSha256: string,
  report: { sha256: string | null; error: string | null; reportedAt: Date } | undefined,
  assignmentChangedAt: Date,
): HostRolloutStatus {
  if (!report) return 'pending';
  if (report.sha256 === expectedSha256 && !report.error) return 'applied';
  if (report.reportedAt < assignmentChangedAt) return 'pending';
  return report.error ? 'failed' : 'drift';
}
