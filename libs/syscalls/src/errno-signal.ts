import { ERRNO_NAMES, SIGNAL_NAMES } from './tables/errno-signal.generated.js';

// Names the headers define as aliases of another; the canonical one is what tools print.
const ALIASES = new Set(['EWOULDBLOCK', 'EDEADLOCK', 'ENOTSUP', 'SIGIOT', 'SIGCLD', 'SIGPOLL', 'SIGUNUSED']);

function indexes(rows: readonly (readonly [number, string])[]) {
  const byNumber = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const [nr, name] of rows) {
    byName.set(name, nr);
    // A canonical name wins over an alias, whichever the header lists first.
    if (!byNumber.has(nr) || !ALIASES.has(name)) byNumber.set(nr, name);
  }
  return { byNumber, byName };
}

const ERRNO = indexes(ERRNO_NAMES);
const SIGNAL = indexes(SIGNAL_NAMES);

/** 1 -> `EPERM` (generic Linux numbering); undefined when unknown. */
export function errnoName(nr: number): string | undefined {
  return ERRNO.byNumber.get(nr);
}

/** `EPERM` -> 1; aliases such as `EWOULDBLOCK` resolve too. */
export function errnoNumber(name: string): number | undefined {
  return ERRNO.byName.get(name);
}

/** 31 -> `SIGSYS` (generic Linux numbering, not MIPS/SPARC/Alpha); undefined when unknown. */
export function signalName(nr: number): string | undefined {
  return SIGNAL.byNumber.get(nr);
}

/** `SIGSYS` -> 31. */
export function signalNumber(name: string): number | undefined {
  return SIGNAL.byName.get(name);
}
