/**
 * The API's public surface, for the cross-app e2e suites in test/ (apps never import each other):
 * boot the real app, read its config, name its roles.
 */
export { createApp, CONTENT_TYPE_PARSERS, JSON_BODY_LIMIT } from './app.factory.js';
export { startServer, type RunningServer } from './server.js';
export { loadConfig, ConfigError, type AppConfig } from './config/app-config.js';
export { ROLES, GRANTABLE_ROLES, type Role } from './auth/role.js';
export type { AuthToken } from './auth/auth-token.js';
export { OPENAPI_JSON_PATH } from './openapi/openapi.setup.js';
export { dataSourceOptions, migrateUnderLock, MIGRATION_LOCK_KEY } from './database/schema-migrator.js';
export {
  IngestEvents,
  type BatchStored,
  type BatchFailed,
  type GroupWritten,
} from './ingest/ingest-events.js';
export { foldRollupDeltas, DELTA_TABLE, FOLD_LOCK_KEY, type Fold } from './ingest/rollup-deltas.js';
export { ROLLUP_TIERS } from './ingest/rollup-tiers.js';
export { AssignmentsService } from './assignments/assignments.service.js';
export { PartitionMaintenance, type MaintenanceReport } from './partitions/partition-maintenance.service.js';
