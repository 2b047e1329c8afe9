import { Module } from '@nestjs/common';
import { HostsModule } from '../hosts/hosts.module.js';
import { PoliciesController } from './policies.controller.js';
import { PoliciesService } from './policies.service.js';
import { PolicySimulationService } from './policy-simulation.service.js';
import { PolicyRepository } from './policy.repository.js';
import { RecordedSyscallRepository } from './recorded-syscall.repository.js';

/** Policies, their versions, diff/export, simulation and generation. Exports what assignments need. */
@Module({
  imports: [HostsModule],
  controllers: [PoliciesController],
  providers: [PolicyRepository, PoliciesService, PolicySimulationService, RecordedSyscallRepository],
  exports: [PolicyRepository, PoliciesService],
})
export class PoliciesModule {}
