/**
 * How long each fuzz target runs. Inside `npm test` a short, fixed-seed run (reproducible);
 * `npm run fuzz` sets FUZZ_SECONDS (total, shared by the targets) and a fresh seed, printed so a
 * failure can be replayed with FUZZ_SEED.
 */
const seconds = Number(process.env.FUZZ_SECONDS ?? 0);
export const LONG_RUN = seconds > 0;
/** Seed of this run: FUZZ_SEED, else fixed in CI and random for long runs. */
export const FUZZ_SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : LONG_RUN
    ? Math.floor(Math.random() * 2 ** 31)
    : 20261129;
/** The number of targets that share FUZZ_SECONDS. */
const TARGETS = 13;

/** fast-check parameters of one target: bounded by time, and by runs when short. */
export function fuzzParameters(shortRuns: number, shortMs = 2000) {
  return {
    seed: FUZZ_SEED,
    numRuns: LONG_RUN ? 1_000_000_000 : shortRuns,
    interruptAfterTimeLimit: LONG_RUN ? (seconds * 1000) / TARGETS : shortMs,
    markInterruptAsFailure: false,
    endOnFailure: true,
  };
}

/** Test timeout that fits one target's budget. */
export function fuzzTimeout(shortMs = 30_000): number {
  return LONG_RUN ? (seconds * 1000) / TARGETS + 60_000 : shortMs;
}
