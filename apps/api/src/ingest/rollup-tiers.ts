/**
 * The rollups of violations, coarsest first: the same dimensions counted per bucket of
 * `minutes` (the column is named `minute` in all of them: the bucket's start). Ingest keeps
 * each current; queries read the coarsest tier that fits a range.
 */
export const ROLLUP_TIERS = [
  { table: 'violation_counts_1h', minutes: 60 },
  { table: 'violation_counts_5m', minutes: 5 },
  { table: 'violation_counts', minutes: 1 },
] as const;

export type RollupTable = (typeof ROLLUP_TIERS)[number]['table'];
