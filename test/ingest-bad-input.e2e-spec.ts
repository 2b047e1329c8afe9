import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndjson, seccompEvent } from './fixtures/ingest/security-events.js';
import { startTestApp } from './support/test-app.js';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

describe('ingest refuses bad input clearly and stays up', () => {
  let t: TestApp;
  let db: pg.Pool;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Pool({ connectionString: t.databaseUrl, max: 1 });
    token = await t.tokenFor('ingest');
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    t.request
      .post(path)
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/x-ndjson')
      .set(headers)
      .send(body);
  const stored = async () => Number((await db.query('SELECT count(*) AS n FROM violations')).rows[0].n);
  const stillUp = async () => {
    const res = await post('/v1/ingest/events', ndjson([seccompEvent(Math.floor(Math.random() * 1e6))]));
    expect(res.status).toBe(202);
  };

  it('answers 413 past 10,000 events, writing nothing', async () => {
    const events = Array.from({ length: 10_001 }, (_, i) => seccompEvent(i));
    const res = await post('/v1/ingest/events', ndjson(events));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('too_many_events');
    expect(await stored()).toBe(0);
  });

  /**
   * POSTs `size` bytes of spaces in 1 MiB writes and stops writing once the answer arrives. The
   * service answers 413 before reading the body and closes the connection, so the client's next
   * write may fail (EPIPE, ECONNRESET) after the answer came, or, when the close wins the race,
   * before it was read: then the request is made again (at most three times).
   */
  const postHuge = async (size: number): Promise<{ status: number; body: string }> => {
    const attempt = () =>
      new Promise<{ status: number; body: string } | undefined>((resolve) => {
        let answer: { status: number; body: string } | undefined;
        const req = httpRequest(`${t.baseUrl}/v1/ingest/events`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/x-ndjson',
            'content-length': String(size),
          },
        });
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            answer = { status: res.statusCode ?? 0, body };
            resolve(answer);
          });
          res.on('error', () => resolve(answer));
        });
        req.on('error', () => resolve(answer));
        const chunk = Buffer.alloc(1 << 20, 0x20);
        let sent = 0;
        const pump = () => {
          while (sent < size && answer === undefined && !req.destroyed) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          if (sent >= size) req.end();
        };
        pump();
      });
    for (let tries = 1; ; tries++) {
      const answer = await attempt();
      if (answer !== undefined || tries === 3) {
        if (answer === undefined) throw new Error('no answer to the huge body in three tries');
        return answer;
      }
    }
  };

  it('answers 413 to a 100 MB body without reading it all', async () => {
    const res = await postHuge(100 * 1024 * 1024);
    expect(res.status).toBe(413);
    expect((JSON.parse(res.body) as { error: { code: string } }).error.code).toBe('payload_too_large');
    await stillUp();
  });

  it('answers 413 to a small gzip body that expands past 16 MiB', async () => {
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20));
    const res = await post('/v1/ingest/events', bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
  });

  it('answers 400 to a truncated gzip stream, writing nothing', async () => {
    const before = await stored();
    const gz = gzipSync(ndjson(Array.from({ length: 50 }, (_, i) => seccompEvent(100 + i))));
    const res = await post('/v1/ingest/events', gz.subarray(0, gz.length - 20), {
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_gzip');
    expect(await stored()).toBe(before);
    await stillUp();
  });

  it('lists lines that are not UTF-8 and stores the rest', async () => {
    const body = Buffer.concat([
      Buffer.from(JSON.stringify(seccompEvent(200)) + '\n'),
      Buffer.from('{"eventKey":"'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}\n'),
      Buffer.from(JSON.stringify(seccompEvent(201)) + '\n'),
    ]);
    const res = await post('/v1/ingest/events', body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(res.body.errors[0]).toMatchObject({ index: 1, line: 2, code: 'invalid_utf8' });
  });

  it('refuses wrong types, unknown actions, NUL characters and non-objects line by line', async () => {
    const lines = [
      JSON.stringify({ ...seccompEvent(300), observedAt: 12345 }),
      JSON.stringify({ ...seccompEvent(301), action: 'obliterate' }),
      JSON.stringify({ ...seccompEvent(302), process: { pid: 'one' } }),
      JSON.stringify(seccompEvent(303, { rule: 'nul\u0000byte' })),
      '[1,2,3]',
      'null',
      '"just a string"',
      JSON.stringify(seccompEvent(304)),
    ];
    const res = await post('/v1/ingest/events', lines.join('\n'));
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejected).toBe(7);
    expect(res.body.errors.map((e: { line: number }) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(res.body.errors[3].code).toBe('invalid_text');
  });

  it('refuses an unknown Content-Encoding and a JSON-typed events body', async () => {
    const e = ndjson([seccompEvent(400)]);
    expect((await post('/v1/ingest/events', e, { 'content-encoding': 'br' })).status).toBe(415);
    const res = await post('/v1/ingest/events', e, { 'content-type': 'application/json' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('refuses audit lines that name no host, and garbage lines, with their numbers', async () => {
    const seconds = Math.floor(Date.now() / 1000) - 60;
    const seccomp = `type=SECCOMP msg=audit(${seconds}.123:77): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=1234 comm="curl" exe="/usr/bin/curl" sig=0 arch=c000003e syscall=101 compat=0 ip=0x7f0000 code=0x7ffc0000`;
    const noHost = await post('/v1/ingest/audit', `${seccomp}\n`, { 'content-type': 'text/plain' });
    expect(noHost.status).toBe(202);
    expect(noHost.body.accepted).toBe(0);
    expect(noHost.body.errors[0], JSON.stringify(noHost.body)).toMatchObject({ line: 1, code: 'no_host' });
    const garbage = await post(
      '/v1/ingest/audit?host=audit-host',
      `type=SECCOMP msg=audit(garbage\n${seccomp}\n`,
      {
        'content-type': 'text/plain',
      },
    );
    expect(garbage.status).toBe(202);
    expect(garbage.body.accepted).toBe(1);
    expect(garbage.body.errors.map((e: { line: number }) => e.line)).toEqual([1]);
    await stillUp();
  });

  it('refuses garbage to the tool routes line by line', async () => {
    for (const tool of ['tetragon', 'tracee', 'inspektor-gadget']) {
      const res = await post(`/v1/ingest/${tool}?host=tool-host`, '{not json\n42\n');
      expect(res.status, tool).toBe(202);
      expect(res.body.accepted, tool).toBe(0);
      expect(
        res.body.errors.map((e: { line: number }) => e.line),
        tool,
      ).toEqual([1, 2]);
    }
    const falco = await t.request
      .post('/v1/ingest/falco')
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/json')
      .send('{"rule": ');
    expect(falco.status).toBe(400);
  });
});
