import type { FastifyInstance } from 'fastify';

/** Content types whose ingest bodies reach the controller as the raw request stream. */
export const INGEST_CONTENT_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/octet-stream',
  'application/gzip',
  'text/plain',
];

const OTHER_ROUTES_TEXT_LIMIT = 1024 * 1024;

/**
 * Lets ingest routes read their bodies themselves: Fastify would otherwise buffer them up to its
 * body limit and knows nothing of gzip. Other routes keep Fastify's text/plain behaviour.
 */
export function registerIngestBodyParser(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser('text/plain')) fastify.removeContentTypeParser('text/plain');
  for (const type of INGEST_CONTENT_TYPES) {
    if (type !== 'text/plain' && fastify.hasContentTypeParser(type)) fastify.removeContentTypeParser(type);
  }
  fastify.addContentTypeParser(INGEST_CONTENT_TYPES, (req, payload, done) => {
    if (req.url.startsWith('/v1/ingest/')) return done(null, payload);
    const chunks: Buffer[] = [];
    let size = 0;
    payload.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= OTHER_ROUTES_TEXT_LIMIT) chunks.push(c);
    });
    payload.on('error', (e) => done(e, undefined));
    payload.on('end', () => {
      if (size > OTHER_ROUTES_TEXT_LIMIT) {
        return done(Object.assign(new Error('Request body is too large'), { statusCode: 413 }), undefined);
      }
      const body = Buffer.concat(chunks);
      done(null, req.headers['content-type']?.startsWith('text/plain') ? body.toString('utf8') : body);
    });
  });
}
