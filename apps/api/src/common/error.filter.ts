import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorAnswer } from './error-body.js';

/** Answers every error thrown by a route in the one shape of the contract. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendError(exception, request, reply);
  }
}

export function sendError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const a = toErrorAnswer(exception, request.id);
  if (a.unexpected) request.log.error({ err: exception }, 'request failed');
  else if (a.status >= 500) request.log.warn({ code: a.body.error.code }, 'request refused');
  if (reply.sent) return;
  if (a.headers) void reply.headers(a.headers);
  void reply.status(a.status).header('content-type', 'application/json; charset=utf-8').send(a.body);
}
