/**
 * The rollups of violations, coarsest first within each kind: the same counts per bucket of
 * `minutes` (the column is named `minute` in all of them: the bucket's start). The wide tiers
 * hold every rollup dimension (host, action, syscall, exe, container, source); the narrow ones
 * only host and action, for the timeseries and stats that need no more. Ingest keeps each
 * current; queries read the coarsest tier that fits a range.
 */
export const ROLLUP_TIERS = [
  { table: 'violation_counts_1h', minutes: 60, narrow: false },
  { table: 'violation_counts_5m', minutes: 5, narrow: false },
  { table: 'violation_counts', minutes: 1, narrow: false },
  { table: 'violation_actions_1h', minutes: 60, narrow: true },
  { table: 'violation_actions_5m', minutes: 5, narrow: true },
  { table: 'violation_actions_1m', minutes: 1, narrow: true },
] as const;

export type RollupTable = (typeof ROLLUP_TIERS)[number]['table'];
