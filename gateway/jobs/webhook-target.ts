import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Why a webhook URL was refused, stable for logs and error messages. */
export class WebhookTargetError extends Error {
  override readonly name = 'WebhookTargetError';
}

// Loopback, private, shared (CGNAT), link-local (cloud metadata lives at 169.254.169.254),
// benchmarking, documentation, multicast, reserved and unspecified ranges.
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  // Unspecified, loopback and the deprecated IPv4-compatible block.
  ['::', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** True for an address a webhook must not reach: anything but a public unicast address. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = mappedIpv4(address);
  if (mapped) return blocked.check(mapped, 'ipv4');
  return blocked.check(address, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), which reaches that IPv4 host. */
function mappedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address);
  if (!groups || groups.slice(0, 5).some((g) => g !== 0) || groups[5] !== 0xffff) return undefined;
  const high = groups[6]!;
  const low = groups[7]!;
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded and a dotted IPv4 tail converted. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0]!;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((g) => Number.parseInt(g, 16)) : [];
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...new Array<number>(Math.max(0, fill)).fill(0), ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined;
}

/** Checks a webhook URL's shape when a job is submitted: http(s), no credentials, no private literal. */
export function checkWebhookUrl(raw: string, options: { allowPrivate: boolean }): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError('webhook_url is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WebhookTargetError('webhook_url must be an http or https URL');
  }
  if (url.username || url.password) throw new WebhookTargetError('webhook_url must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate) {
    if (isIP(host) && isPrivateAddress(host)) {
      throw new WebhookTargetError('webhook_url points at a private, loopback or link-local address');
    }
    if (host === 'localhost' || host.endsWith('.localhost')) {
      throw new WebhookTargetError('webhook_url points at a loopback host name');
    }
  }
  return url;
}

export interface ResolvedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
  /** Hand to the HTTP connector, so the connection goes to the address that was checked. */
  lookup: LookupFunction;
}

/**
 * Resolves a webhook host at delivery time and refuses it when any of its addresses is private
 * (unless allowed). The returned `lookup` pins the connection to the checked address, so a DNS
 * answer that changes between check and connect (rebinding) cannot redirect the request.
 */
export async function resolveWebhookTarget(
  raw: string,
  options: { allowPrivate: boolean; lookup?: typeof dnsLookup },
): Promise<ResolvedTarget> {
  const url = checkWebhookUrl(raw, options);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal }]
    : await (options.lookup ?? dnsLookup)(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new WebhookTargetError(`webhook host ${host} has no address`);
  if (!options.allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad)
      throw new WebhookTargetError(`webhook host ${host} resolves to a non-public address (${bad.address})`);
  }
  const { address, family } = addresses[0]!;
  const pinned = { address, family: family === 6 ? (6 as const) : (4 as const) };
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  return { url, ...pinned, lookup };
}
