import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@sandtrap/events';
import { falcoAlert, gadgetSeccomp, tetragonKprobe } from './fixtures/ingest/tool-events.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('POST /v1/ingest/{falco,tetragon,inspektor-gadget}', () => {
  let t: TestApp;
  let token: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.tokenFor('ingest');
    viewer = await t.tokenFor('viewer');
  });
  afterAll(() => t?.close());

  const stored = async (source: string): Promise<SecurityEvent[]> =>
    (await t.request.get('/v1/violations').query({ source }).set('authorization', `Bearer ${viewer}`)).body
      .items;

  it('stores one Falco alert as http_output posts it, once', async () => {
    const alert = falcoAlert(60_000);
    const send = () => t.request.post('/v1/ingest/falco').set('authorization', `Bearer ${token}`).send(alert);
    expect((await send()).body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0 });
    expect((await send()).body).toMatchObject({ accepted: 0, duplicates: 1 });
    const [event] = await stored('falco');
    expect(event).toMatchObject({
      host: 'falco-node-1',
      source: 'falco',
      kind: 'runtime',
      rule: 'Change thread namespace',
    });
  });

  it('stores NDJSON of Tetragon and Inspektor Gadget events, once', async () => {
    for (const [tool, line] of [
      ['tetragon', tetragonKprobe(30_000)],
      ['inspektor-gadget', gadgetSeccomp(20_000)],
    ] as const) {
      const body = `${JSON.stringify(line)}\n`;
      const send = () =>
        t.request
          .post(`/v1/ingest/${tool}`)
          .set('authorization', `Bearer ${token}`)
          .set('content-type', 'application/x-ndjson')
          .send(body);
      const first = await send();
      expect(first.body, tool).toMatchObject({ accepted: 1, rejected: 0 });
      expect((await send()).body, tool).toMatchObject({ accepted: 0, duplicates: 1 });
    }
    expect((await stored('tetragon'))[0]).toMatchObject({
      action: 'sigkill',
      blocked: true,
      host: 'tetra-node-1',
    });
    expect((await stored('inspektor-gadget'))[0]).toMatchObject({ action: 'kill_thread', host: 'ig-node-1' });
  });

  it("makes an agent's tool events its own host's", async () => {
    const agent = await t.tokenFor('agent', { hostname: 'agent-tools' });
    const res = await t.request
      .post('/v1/ingest/tetragon')
      .set('authorization', `Bearer ${agent}`)
      .set('content-type', 'application/x-ndjson')
      .send(`${JSON.stringify(tetragonKprobe(10_000))}\n`);
    expect(res.body).toMatchObject({ accepted: 1 });
    const hosts = (await stored('tetragon')).map((e) => e.host).sort();
    expect(hosts).toEqual(['agent-tools', 'tetra-node-1']);
  });
});
