import type { HostSelector } from '../hosts/host.js';

export const ASSIGNMENT_MODES = ['enforce', 'log'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

/** `canary`: only the canary hosts run `version`; `complete`: every selected host does; `rolled_back`: back to `previousVersion`. */
export type RolloutStage = 'canary' | 'complete' | 'rolled_back';

export interface Assignment {
  id: string;
  policyId: string;
  policy: string;
  version: number;
  previousVersion: number | null;
  selector: HostSelector;
  mode: AssignmentMode;
  stage: RolloutStage;
  canaryHostIds: string[];
  /** Auto-promotion after this long in canary with no new blocked events there; null: promote by hand. */
  soakSeconds: number | null;
  stageStartedAt: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export type HostRolloutStatus = 'applied' | 'pending' | 'failed' | 'drift';
