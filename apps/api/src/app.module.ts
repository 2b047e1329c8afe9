import { Module } from '@nestjs/common';
import { AlertRulesModule } from './alert-rules/alert-rules.module.js';
import { AssignmentsModule } from './assignments/assignments.module.js';
import { AuditLogModule } from './audit-log/audit-log.module.js';
import { AuthModule } from './auth/auth.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { HostsModule } from './hosts/hosts.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PoliciesModule } from './policies/policies.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { ViolationsModule } from './violations/violations.module.js';

/** Every feature of the API, one line each: append yours. */
@Module({
  imports: [
    DatabaseModule,
    AuditLogModule,
    AuthModule,
    TokensModule,
    HealthModule,
    HostsModule,
    MetricsModule,
    IngestModule,
    ViolationsModule,
    PoliciesModule,
    AssignmentsModule,
    AlertRulesModule,
    RateLimitModule,
  ],
})
export class AppModule {}
