import dns from 'node:dns';
import net from 'node:net';

/**
 * Networks webhooks may never reach, by default the link-local ranges where cloud metadata
 * services answer (169.254.169.254 hands out instance credentials) and 0.0.0.0/8, which Linux
 * routes to this host. An operator who writes a rule must not be able to make the service fetch
 * those for them (server-side request forgery).
 */
export const DEFAULT_WEBHOOK_DENY_NETWORKS = '169.254.0.0/16,fe80::/10,0.0.0.0/8';

export interface DeniedNetworks {
  readonly list: net.BlockList;
  /** As configured, for messages. */
  readonly text: string;
}

/** Parses `a.b.c.d/n,x::/n,...` ('' or 'none': nothing denied); throws naming the bad entry. */
export function parseDeniedNetworks(value: string): DeniedNetworks {
  const list = new net.BlockList();
  const entries = value.trim() === 'none' ? [] : value.split(',').map((s) => s.trim());
  for (const entry of entries.filter((s) => s !== '')) {
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
    const prefix = slash === -1 ? (family === 'ipv4' ? 32 : 128) : Number(entry.slice(slash + 1));
    const max = family === 'ipv4' ? 32 : 128;
    if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > max || entry.endsWith('/')) {
      throw new Error(`"${entry}" is not an IPv4 or IPv6 network in CIDR form`);
    }
    list.addSubnet(address, prefix, family);
  }
  return { list, text: entries.join(',') };
}

export function isDenied(denied: DeniedNetworks, address: string): boolean {
  const family = net.isIPv4(address) ? 'ipv4' : 'ipv6';
  if (denied.list.check(address, family)) return true;
  // ::ffff:169.254.169.254 is the IPv4 address in IPv6 clothing.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped !== null && denied.list.check(mapped[1]!, 'ipv4');
}

export class WebhookTargetDenied extends Error {
  constructor(host: string, address: string, denied: DeniedNetworks) {
    super(
      `webhook host ${host} is ${host === address ? '' : `at ${address}, `}inside a denied network ` +
        `(SANDTRAP_WEBHOOK_DENY_NETWORKS=${denied.text})`,
    );
    this.name = 'WebhookTargetDenied';
  }
}

/** The URL's host when it is an IP literal (brackets of IPv6 removed), else undefined. */
export function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return net.isIP(host) ? host : undefined;
}

/**
 * A `lookup` for http.request that refuses names resolving into a denied network. The check is
 * on the address the socket then connects to, so a name that resolves differently the second
 * time (DNS rebinding) cannot slip past it.
 */
export function guardedLookup(denied: DeniedNetworks): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => isDenied(denied, a.address));
      if (bad) return callback(new WebhookTargetDenied(hostname, bad.address, denied), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
