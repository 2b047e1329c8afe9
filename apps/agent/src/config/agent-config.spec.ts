import { describe, expect, it } from 'vitest';
import { loadAgentConfig, parseConfigText } from './agent-config.js';

describe('agent config from flags', () => {
  it('builds a config with defaults and enabled sources', () => {
    const config = loadAgentConfig([
      '--server',
      'http://127.0.0.1:8080',
      '--enroll-token',
      't',
      '--source',
      'kmsg',
      '--source',
      'auditd=/tmp/audit.log',
      '--from-start',
      '--label',
      'env=prod',
      '--metrics-listen',
      'off',
    ]);
    expect(config.server).toEqual({ url: 'http://127.0.0.1:8080', enrollToken: 't' });
    expect(config.sources.kmsg.enabled).toBe(true);
    expect(config.sources.auditd).toEqual({ enabled: true, path: '/tmp/audit.log', fromStart: true });
    expect(config.sources.journald.enabled).toBe(false);
    expect(config.host.labels).toEqual({ env: 'prod' });
    expect(config.metrics.enabled).toBe(false);
    expect(config.stateDir).toBe('/var/lib/sandtrap/agent');
    expect(config.spool.maxBytes).toBe(256 * 1024 * 1024);
  });
  it('names what is wrong', () => {
    expect(() => loadAgentConfig([])).toThrow(/server/);
    expect(() => loadAgentConfig(['--server', 'not a url'])).toThrow(/server\.url/);
    expect(() => loadAgentConfig(['--server', 'http://x', '--source', 'nonsense'])).toThrow(/unknown source/);
    expect(() => loadAgentConfig(['--server', 'http://x', '--source', 'falco'])).toThrow(
      /sources\.falco\.path/,
    );
    expect(() => loadAgentConfig(['--server', 'http://x', '--label', 'novalue'])).toThrow(/key=value/);
    expect(() => loadAgentConfig(['--bogus'])).toThrow();
  });
});

describe('agent config file text', () => {
  it('reads JSON, YAML and YAML flow mappings alike', () => {
    const expected = { server: { url: 'http://127.0.0.1:8080' }, sources: { kmsg: { enabled: true } } };
    expect(parseConfigText(JSON.stringify(expected))).toEqual(expected);
    expect(
      parseConfigText('server:\n  url: http://127.0.0.1:8080\nsources:\n  kmsg: { enabled: true }\n'),
    ).toEqual(expected);
    expect(
      parseConfigText('{server: {url: "http://127.0.0.1:8080"}, sources: {kmsg: {enabled: true}}}'),
    ).toEqual(expected);
    expect(parseConfigText('')).toBeNull();
  });
});
