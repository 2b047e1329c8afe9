/** Filters of GET /v1/violations, /stats and /timeseries, already validated. */
export interface ViolationFilter {
  /** Inclusive, epoch microseconds. */
  fromMicros?: number;
  /** Exclusive, epoch microseconds. */
  toMicros?: number;
  hosts?: string[];
  syscalls?: string[];
  actions?: string[];
  sources?: string[];
  blocked?: boolean;
  exe?: string;
  comm?: string;
  container?: string;
  pod?: string;
  namespace?: string;
  policy?: string;
}

/** Filters the per-minute rollup can answer (its dimensions); the others need the rows. */
export function rollupCanAnswer(f: ViolationFilter): boolean {
  return (
    f.blocked === undefined &&
    f.comm === undefined &&
    f.pod === undefined &&
    f.namespace === undefined &&
    f.policy === undefined
  );
}

/** Filters the narrow rollup (host and action only) can answer. */
export function narrowRollupCanAnswer(f: ViolationFilter): boolean {
  return (
    rollupCanAnswer(f) &&
    f.syscalls === undefined &&
    f.sources === undefined &&
    f.exe === undefined &&
    f.container === undefined
  );
}

/**
 * Builds the WHERE terms of a filter into `params`. `rollup` names the columns of
 * violation_counts (absent dimensions stored as '').
 */
export function filterTerms(f: ViolationFilter, params: unknown[], hostIds: string[] | undefined): string[] {
  const terms: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    terms.push(sql(`$${params.length}`));
  };
  // One host as `=`, so that Postgres sees the per-host index (host_id, observed_at, event_key) as ordered.
  if (hostIds?.length === 1) add((p) => `host_id = ${p}::uuid`, hostIds[0]);
  else if (hostIds) add((p) => `host_id = ANY(${p}::uuid[])`, hostIds);
  if (f.syscalls) add((p) => `syscall_name = ANY(${p}::text[])`, f.syscalls);
  if (f.actions) add((p) => `action = ANY(${p}::text[])`, f.actions);
  if (f.sources) add((p) => `source = ANY(${p}::text[])`, f.sources);
  if (f.exe !== undefined) add((p) => `exe = ${p}`, f.exe);
  if (f.container !== undefined) add((p) => `container_id = ${p}`, f.container);
  if (f.blocked !== undefined) add((p) => `blocked = ${p}`, f.blocked);
  if (f.comm !== undefined) add((p) => `comm = ${p}`, f.comm);
  if (f.pod !== undefined) add((p) => `pod = ${p}`, f.pod);
  if (f.namespace !== undefined) add((p) => `namespace = ${p}`, f.namespace);
  if (f.policy !== undefined) add((p) => `policy = ${p}`, f.policy);
  return terms;
}
