import { Injectable } from '@nestjs/common';
import type { Host } from './host.js';

export interface HostAssignment {
  policy: string;
  version: number;
  sha256: string;
  mode: string;
  profile: unknown;
}

export interface ProfileStatusReport {
  policy: string;
  sha256?: string;
  path?: string;
  error?: string;
}

export interface HostPolicyHandlers {
  assignmentsFor(host: Host): Promise<HostAssignment[]>;
  recordStatus(host: Host, profiles: ProfileStatusReport[]): Promise<void>;
}

/**
 * Where hosts/ meets policies without importing it: the policies module plugs its handlers in
 * (`port.connect(handlers)` in its onModuleInit). Until then hosts have no assignments and status
 * reports are validated and acknowledged, but not stored.
 */
@Injectable()
export class HostPolicyPort {
  private handlers: HostPolicyHandlers | undefined;

  connect(handlers: HostPolicyHandlers): void {
    this.handlers = handlers;
  }

  assignmentsFor(host: Host): Promise<HostAssignment[]> {
    return this.handlers?.assignmentsFor(host) ?? Promise.resolve([]);
  }

  recordStatus(host: Host, profiles: ProfileStatusReport[]): Promise<void> {
    return this.handlers?.recordStatus(host, profiles) ?? Promise.resolve();
  }
}
