import { Injectable } from '@nestjs/common';
import {
  generateProfile,
  profileSha256,
  type GenerateOptions,
  type SeccompProfile,
} from '@sandtrap/seccomp-profile';
import { DomainError } from '../common/domain-error.js';
import type { HostSelector } from '../hosts/host.js';
import { HostsRepository } from '../hosts/host.repository.js';
import { PoliciesService, type SavedVersion } from './policies.service.js';
import { simulateProfile, type SimulationResult } from './policy-simulation.js';
import { RecordedSyscallRepository } from './recorded-syscall.repository.js';

/** The longest range one simulation or generation reads. */
export const MAX_RANGE_DAYS = 31;

export interface RecordedRange {
  from: Date;
  to: Date;
  selector?: HostSelector;
}

export interface GenerateRequest extends RecordedRange {
  name?: string;
  message?: string;
  defaultAction?: GenerateOptions['defaultAction'];
}

export interface GenerateAnswer {
  profile: SeccompProfile;
  sha256: string;
  hosts: number;
  events: number;
  syscalls: number;
  skipped: number;
  /** The version saved, when `name` was given. */
  saved?: SavedVersion;
}

/** Profiles against recorded history: what a version would change, and what a workload needs. */
@Injectable()
export class PolicySimulationService {
  constructor(
    private readonly policies: PoliciesService,
    private readonly hosts: HostsRepository,
    private readonly recorded: RecordedSyscallRepository,
  ) {}

  async simulate(
    name: string,
    version: number,
    range: RecordedRange,
  ): Promise<
    SimulationResult & { policy: string; version: number; hosts: number; from: string; to: string }
  > {
    const found = await this.policies.version(name, version);
    const hostIds = await this.selectHosts(range);
    const result = simulateProfile(found.profile, await this.recorded.groups(hostIds, range.from, range.to));
    return {
      policy: name,
      version,
      hosts: hostIds.length,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      ...result,
    };
  }

  async generate(request: GenerateRequest, actor: string): Promise<GenerateAnswer> {
    const hostIds = await this.selectHosts(request);
    const groups = await this.recorded.groups(hostIds, request.from, request.to);
    if (groups.length === 0) {
      throw new DomainError(
        'validation_failed',
        'no seccomp events were recorded for those hosts in that range',
        {
          errors: [
            {
              pointer: '/from',
              message: 'the range holds no recorded seccomp events for the selected hosts',
            },
          ],
        },
      );
    }
    const generated = generateProfile(
      groups.map((g) => ({ syscall: { arch: g.arch, name: g.syscall ?? undefined, nr: g.nr ?? undefined } })),
      request.defaultAction ? { defaultAction: request.defaultAction } : {},
    );
    const answer: GenerateAnswer = {
      profile: generated.profile,
      sha256: profileSha256(generated.profile),
      hosts: hostIds.length,
      events: groups.reduce((n, g) => n + g.count, 0),
      syscalls: new Set(groups.map((g) => g.syscall ?? `${g.arch}:${g.nr}`)).size,
      skipped: generated.skipped,
    };
    if (!request.name) return answer;
    const message = request.message ?? `generated from ${answer.events} events on ${answer.hosts} host(s)`;
    const existing = await this.policies.find(request.name);
    answer.saved = existing
      ? await this.policies.update(
          request.name,
          { profile: generated.profile, message },
          existing.latestVersion,
          actor,
        )
      : await this.policies.create({ name: request.name, profile: generated.profile, message }, actor);
    return answer;
  }

  private async selectHosts(range: RecordedRange): Promise<string[]> {
    checkRange(range.from, range.to);
    const hosts = await this.hosts.findBySelector(range.selector ?? {});
    if (hosts.length === 0) {
      throw new DomainError('selector_matches_nothing', 'the host selector matches no host', {
        selector: range.selector ?? {},
      });
    }
    return hosts.map((h) => h.id);
  }
}

export function checkRange(from: Date, to: Date): void {
  if (!(from < to)) {
    throw new DomainError('validation_failed', '"from" must be before "to"', {
      errors: [{ pointer: '/to', message: '"to" must be after "from"' }],
    });
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
    throw new DomainError('validation_failed', `the range is longer than ${MAX_RANGE_DAYS} days`, {
      errors: [{ pointer: '/from', message: `at most ${MAX_RANGE_DAYS} days between "from" and "to"` }],
    });
  }
}
