import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';

/** Per-token request limits on every route (SANDTRAP_RATE_LIMIT_PER_MINUTE, SANDTRAP_INGEST_RATE_LIMIT_PER_MINUTE). */
@Module({
  providers: [{ provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor }],
})
export class RateLimitModule {}
