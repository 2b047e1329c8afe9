import { Module, type OnModuleInit } from '@nestjs/common';
import { HostPolicyPort } from '../hosts/host-policy.port.js';
import { HostsModule } from '../hosts/hosts.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { AssignmentRepository } from './assignment.repository.js';
import { AssignmentsController } from './assignments.controller.js';
import { AssignmentsService } from './assignments.service.js';
import { AutoPromoteJob } from './auto-promote.job.js';

/** Assignments and rollouts; answers hosts' "what should I run" and stores their status reports. */
@Module({
  imports: [HostsModule, PoliciesModule],
  controllers: [AssignmentsController],
  providers: [AssignmentRepository, AssignmentsService, AutoPromoteJob],
  exports: [AssignmentsService],
})
export class AssignmentsModule implements OnModuleInit {
  constructor(
    private readonly port: HostPolicyPort,
    private readonly assignments: AssignmentsService,
  ) {}

  onModuleInit(): void {
    this.port.connect({
      assignmentsFor: (host) => this.assignments.resolveForHost(host),
      recordStatus: (host, profiles) => this.assignments.recordStatus(host, profiles),
    });
  }
}
