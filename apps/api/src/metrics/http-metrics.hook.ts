import type { FastifyInstance } from 'fastify';
import type { SandtrapMetrics } from './sandtrap-metrics.js';

/**
 * Counts every answered request by its route pattern (`/v1/hosts/:id`), never the raw URL, so
 * ids and query strings cannot multiply series; requests that matched no route are `unmatched`.
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: SandtrapMetrics): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    const method = request.method;
    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });
}
