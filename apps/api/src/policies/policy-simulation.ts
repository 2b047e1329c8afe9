import {
  evaluate,
  isBlockingSeccompAction,
  toEventAction,
  type SeccompProfile,
} from '@sandtrap/seccomp-profile';
import type { RecordedSyscallGroup } from './recorded-syscall.repository.js';

export type SimulationOutcome = 'newlyBlocked' | 'newlyAllowed' | 'unchanged';

export interface SimulatedGroup {
  host: string;
  arch: string;
  syscall: string | null;
  nr: number | null;
  exe: string;
  container: string;
  recordedAction: string;
  action: string;
  /** The profile names the syscall with argument conditions: the answer holds for other arguments. */
  conditional?: boolean;
  count: number;
}

export interface SimulationClass {
  events: number;
  groups: SimulatedGroup[];
  /** Groups beyond the listed ones (the list keeps the largest). */
  groupsNotListed: number;
}

export type SimulationResult = Record<SimulationOutcome, SimulationClass> & { events: number };

/** Groups listed per outcome; the counts always cover every group. */
export const LISTED_GROUPS = 500;

/**
 * What `profile` would do to recorded events. An event recorded as blocked that the profile lets
 * through is newly allowed; one recorded as logged or allowed that the profile blocks is newly
 * blocked. Arguments are not recorded, so a syscall that the profile decides by its arguments is
 * judged by its argument-free answer and flagged `conditional`.
 */
export function simulateProfile(profile: SeccompProfile, groups: RecordedSyscallGroup[]): SimulationResult {
  const classes: Record<SimulationOutcome, SimulatedGroup[]> = {
    newlyBlocked: [],
    newlyAllowed: [],
    unchanged: [],
  };
  let events = 0;
  for (const g of groups) {
    const verdict = evaluate(profile, { arch: g.arch, syscall: g.nr ?? g.syscall ?? '' });
    const blocked = isBlockingSeccompAction(verdict.action);
    const outcome: SimulationOutcome =
      blocked && !g.blocked ? 'newlyBlocked' : !blocked && g.blocked ? 'newlyAllowed' : 'unchanged';
    classes[outcome].push({
      host: g.host,
      arch: g.arch,
      syscall: g.syscall,
      nr: g.nr,
      exe: g.exe,
      container: g.container,
      recordedAction: g.action,
      action: toEventAction(verdict.action),
      ...(verdict.conditional ? { conditional: true } : {}),
      count: g.count,
    });
    events += g.count;
  }
  const summarise = (list: SimulatedGroup[]): SimulationClass => {
    list.sort((a, b) => b.count - a.count);
    return {
      events: list.reduce((n, g) => n + g.count, 0),
      groups: list.slice(0, LISTED_GROUPS),
      groupsNotListed: Math.max(0, list.length - LISTED_GROUPS),
    };
  };
  return {
    events,
    newlyBlocked: summarise(classes.newlyBlocked),
    newlyAllowed: summarise(classes.newlyAllowed),
    unchanged: summarise(classes.unchanged),
  };
}
