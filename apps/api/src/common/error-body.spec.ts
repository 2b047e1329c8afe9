import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { DomainError, ValidationFailedError } from './domain-error.js';
import { toErrorAnswer } from './error-body.js';

describe('toErrorAnswer', () => {
  it('answers a domain error with its code, mapped status and details', () => {
    const a = toErrorAnswer(new ValidationFailedError([{ pointer: '/name', message: 'bad' }]), 'r1');
    expect(a.status).toBe(400);
    expect(a.body).toEqual({
      error: {
        code: 'validation_failed',
        message: 'The request is not valid',
        details: { errors: [{ pointer: '/name', message: 'bad' }] },
      },
    });
    expect(toErrorAnswer(new DomainError('precondition_failed', 'stale'), 'r').status).toBe(412);
  });

  it('keeps the code of another feature’s typed error, with Retry-After when it has one', () => {
    const e = Object.assign(new Error('db down'), { code: 'ingest_unavailable', retryAfterSeconds: 5 });
    const a = toErrorAnswer(e, 'r');
    expect(a.status).toBe(503);
    expect(a.headers).toEqual({ 'retry-after': '5' });
  });

  it('unwraps Fastify errors Nest wrapped, by their FST code', () => {
    const cause = Object.assign(new Error('too big'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    const a = toErrorAnswer(new HttpException('too big', 413, { cause }), 'r');
    expect(a).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(toErrorAnswer(new NotFoundException('nope'), 'r').body.error.code).toBe('not_found');
    expect(toErrorAnswer(new BadRequestException('uuid'), 'r').body.error.code).toBe('invalid_body');
  });

  it.each([
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('database "x" does not exist'), { code: '3D000' }),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    new Error('timeout exceeded when trying to connect'),
  ])('answers a database outage as 503 unavailable with Retry-After (%s)', (thrown) => {
    const a = toErrorAnswer(thrown, 'r');
    expect(a).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } }, unexpected: false });
    expect(a.headers).toEqual({ 'retry-after': '5' });
  });

  it.each([
    new Error('secret detail at /x/y.ts:1'),
    new TypeError('x'),
    Object.assign(new Error('duplicate key'), { code: '23505' }),
    'a string',
    null,
    { code: 'nonsense' },
  ])('answers anything else as 500 internal with the request id and nothing of the error (%j)', (thrown) => {
    const a = toErrorAnswer(thrown, 'req-9');
    expect(a.status).toBe(500);
    expect(a.unexpected).toBe(true);
    expect(a.body).toEqual({
      error: { code: 'internal', message: 'An unexpected error occurred', details: { requestId: 'req-9' } },
    });
  });
});
