import { Module } from '@nestjs/common';
import { AuditLogModule } from './audit-log/audit-log.module.js';
import { AuthModule } from './auth/auth.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { HostsModule } from './hosts/hosts.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { TokensModule } from './tokens/tokens.module.js';

/** Every feature of the API, one line each: append yours. */
@Module({
  imports: [DatabaseModule, AuditLogModule, AuthModule, TokensModule, HealthModule, HostsModule, MetricsModule],
})
export class AppModule {}
