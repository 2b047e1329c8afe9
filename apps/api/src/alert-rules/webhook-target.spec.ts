import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WEBHOOK_DENY_NETWORKS,
  isDenied,
  literalAddress,
  parseDeniedNetworks,
} from './webhook-target.js';

describe('webhook denied networks', () => {
  const denied = parseDeniedNetworks(DEFAULT_WEBHOOK_DENY_NETWORKS);

  it('denies cloud metadata, link-local and 0.0.0.0/8 by default, in either IP family', () => {
    for (const a of ['169.254.169.254', '169.254.0.1', 'fe80::1', '0.0.0.0', '::ffff:169.254.169.254']) {
      expect(isDenied(denied, a), a).toBe(true);
    }
    for (const a of ['127.0.0.1', '10.0.0.8', '8.8.8.8', '::1', '2001:db8::1', '::ffff:10.1.2.3']) {
      expect(isDenied(denied, a), a).toBe(false);
    }
  });

  it('reads single addresses, lists with spaces, and "none"', () => {
    const custom = parseDeniedNetworks(' 10.0.0.0/8 , 192.168.1.7, ::1 ');
    expect(isDenied(custom, '10.200.1.1')).toBe(true);
    expect(isDenied(custom, '192.168.1.7')).toBe(true);
    expect(isDenied(custom, '192.168.1.8')).toBe(false);
    expect(isDenied(custom, '::1')).toBe(true);
    expect(isDenied(parseDeniedNetworks('none'), '169.254.169.254')).toBe(false);
    expect(isDenied(parseDeniedNetworks(''), '169.254.169.254')).toBe(false);
  });

  it.each(['10.0.0.0/33', 'fe80::/129', 'example.com/8', '10.0.0.0/', '10.0.0.0/x', '1.2.3'])(
    'refuses %j naming it',
    (entry) => {
      expect(() => parseDeniedNetworks(`127.0.0.0/8,${entry}`)).toThrow(`"${entry}"`);
    },
  );

  it('finds address literals in URLs, not names', () => {
    expect(literalAddress(new URL('http://169.254.169.254/latest/meta-data'))).toBe('169.254.169.254');
    expect(literalAddress(new URL('http://[fe80::1]:8080/x'))).toBe('fe80::1');
    expect(literalAddress(new URL('https://hooks.example.com/x'))).toBeUndefined();
  });
});
