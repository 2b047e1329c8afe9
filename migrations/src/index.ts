import type { MigrationInterface } from 'typeorm';
import { CreatePlatform1795800000000 } from './1795800000000-create-platform.js';
import { CreateViolations1795900000000 } from './1795900000000-create-violations.js';
import { CreatePolicies1796000000000 } from './1796000000000-create-policies.js';
import { CreateAlertRules1796100000000 } from './1796100000000-create-alert-rules.js';
import { AddHostRetirement1796300000000 } from './1796300000000-add-host-retirement.js';
import { CreateViolationActions1796400000000 } from './1796400000000-create-violation-actions.js';
import { FillViolationActions1796400000001 } from './1796400000001-fill-violation-actions.js';
import { CoverViolationActions1796400000002 } from './1796400000002-cover-violation-actions.js';
import { CreateRollupDeltas1796500000000 } from './1796500000000-create-rollup-deltas.js';
import { ForbidRollupDeltaNulls1796600000000 } from './1796600000000-forbid-rollup-delta-nulls.js';

/**
 * Every schema migration, oldest first. Append-only: a released migration never changes; a new
 * one goes at the end with a larger timestamp.
 */
export const migrations: Array<new () => MigrationInterface> = [
  CreatePlatform1795800000000,
  CreateViolations1795900000000,
  CreatePolicies1796000000000,
  CreateAlertRules1796100000000,
  AddHostRetirement1796300000000,
  CreateViolationActions1796400000000,
  FillViolationActions1796400000001,
  CoverViolationActions1796400000002,
  CreateRollupDeltas1796500000000,
  ForbidRollupDeltaNulls1796600000000,
];
