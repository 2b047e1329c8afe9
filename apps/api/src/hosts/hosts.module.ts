import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module.js';
import { HostPolicyPort } from './host-policy.port.js';
import { HostsRepository } from './host.repository.js';
import { HostsController } from './hosts.controller.js';
import { HostsService } from './hosts.service.js';

/** Exports `HostsRepository` (selectors: `findBySelector`) and `HostPolicyPort` for the policies module. */
@Module({
  imports: [TokensModule],
  controllers: [HostsController],
  providers: [HostsRepository, HostsService, HostPolicyPort],
  exports: [HostsRepository, HostPolicyPort],
})
export class HostsModule {}
