import { TABLE_OF, isArch } from './arch.js';
import { SYSCALL_TABLES } from './tables/syscall-tables.generated.js';

/** x32 syscall numbers carry this bit; the x32 table is keyed with it. */
export const X32_SYSCALL_BIT = 0x40000000;

interface ArchTable {
  byNumber: Map<number, string>;
  byName: Map<string, number>;
  names: readonly string[];
}

// Keyed by the name asked for (aliases included), so the hot path is one Map lookup.
const cache = new Map<string, ArchTable>();

function tableFor(arch: string): ArchTable | undefined {
  const cached = cache.get(arch);
  if (cached !== undefined) return cached;
  const key = isArch(arch) ? arch : TABLE_OF[arch];
  if (key === undefined) return undefined;
  let table = cache.get(key);
  if (table === undefined) {
    const rows = SYSCALL_TABLES[key] ?? [];
    const byName = new Map<string, number>();
    // Several numbers can carry one name (ARM's OABI leftovers); the first, lowest, wins.
    for (const [nr, name] of rows) if (!byName.has(name)) byName.set(name, nr);
    table = { byNumber: new Map(rows), byName, names: [...byName.keys()].sort() };
    cache.set(key, table);
  }
  cache.set(arch, table);
  return table;
}

/** Name of syscall `nr` in `arch`'s own table; undefined when the arch or the number is unknown. */
export function resolveSyscall(arch: string, nr: number): string | undefined {
  const table = tableFor(arch);
  if (table === undefined || !Number.isInteger(nr)) return undefined;
  // x32 numbers are accepted with or without their 0x40000000 bit.
  const key = arch === 'x32' ? (nr | X32_SYSCALL_BIT) >>> 0 : nr;
  return table.byNumber.get(key);
}

/** Number of `name` in `arch` (x32 numbers include 0x40000000); undefined when unknown there. */
export function syscallNumber(arch: string, name: string): number | undefined {
  return tableFor(arch)?.byName.get(name);
}

/** Every syscall name of an arch, sorted; empty for an unknown arch. */
export function syscallNames(arch: string): readonly string[] {
  return tableFor(arch)?.names ?? [];
}

/** True when `name` is a syscall of at least one of `arches`. */
export function isSyscallOnAnyArch(name: string, arches: readonly string[]): boolean {
  return arches.some((arch) => tableFor(arch)?.byName.has(name) === true);
}
