import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RateLimitedError } from './rate-limit.errors.js';
import { TokenBuckets } from './token-bucket.js';

/**
 * Limits requests per token (per client IP for routes that need none). It runs as an interceptor,
 * after the auth guard has named the token, so the key is the token id and the shipper roles
 * (`ingest`, `agent`) get their own, higher, limit. Requests with a bad token are refused by the
 * guard before this: they cost one hash lookup and the secrets (256 bits) cannot be guessed.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  private readonly buckets = new TokenBuckets();
  private readonly clock: () => number = Date.now;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = request.authToken;
    const shipper = token?.role === 'ingest' || token?.role === 'agent';
    const perMinute = shipper ? this.config.ingestRateLimitPerMinute : this.config.rateLimitPerMinute;
    if (perMinute > 0) {
      const key = token ? `token:${token.id}` : `ip:${request.ip}`;
      const result = this.buckets.take(key, perMinute, this.clock());
      if (!result.allowed) throw new RateLimitedError(result.retryAfterSeconds, perMinute);
    }
    return next.handle();
  }
}
