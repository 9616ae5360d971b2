import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { config } from '#lib/server/platform/config.ts';

/*
 * Every request the server sends to a tracker or forge an administrator configured goes through here, so a base
 * URL cannot point the server (and the credentials it sends) at the machine itself, the private network around it,
 * or a cloud metadata service:
 *
 *   - the host's name is resolved (all of its addresses) and refused if any address is loopback, unspecified,
 *     private, link-local (the 169.254.169.254 metadata included), CGNAT, multicast, broadcast or otherwise
 *     reserved, including the IPv4-mapped, IPv4-compatible and NAT64 IPv6 forms of those; a few metadata host names
 *     are refused by name;
 *   - the connection goes to the addresses that were checked (the check runs inside the socket's own `lookup`), so
 *     a name that resolves differently a moment later (DNS rebinding) cannot slip through;
 *   - redirects are followed by hand, at most MAX_REDIRECTS, and every hop is checked the same way.
 *
 * CAUCUS_ALLOW_PRIVATE_TRACKERS=1 (config().allowPrivateTrackers) lifts the address check for sites whose trackers
 * live on their own network, and for tests that talk to the local fake trackers.
 */

export const MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MS = 30_000;
/** How long a save waits for DNS before leaving the check to the request itself. */
const SAVE_CHECK_TIMEOUT_MS = 5_000;
/** Tracker answers are small JSON documents; anything bigger is refused rather than held in memory. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Raised when a URL names an address the server must not call. The message never carries a remote answer. */
export class OutgoingAddressError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'OutgoingAddressError';
	}
}

const blocked = new BlockList();
for (const [net, prefix] of [
	['0.0.0.0', 8], // "this network", 0.0.0.0 included
	['10.0.0.0', 8],
	['100.64.0.0', 10], // carrier-grade NAT (also Alibaba's 100.100.100.200 metadata)
	['127.0.0.0', 8],
	['169.254.0.0', 16], // link-local, 169.254.169.254 metadata
	['172.16.0.0', 12],
	['192.0.0.0', 24], // IETF protocol assignments (192.0.0.192 Oracle metadata)
	['192.0.2.0', 24], // documentation
	['192.88.99.0', 24], // 6to4 relay anycast
	['192.168.0.0', 16],
	['198.18.0.0', 15], // benchmarking
	['198.51.100.0', 24],
	['203.0.113.0', 24],
	['224.0.0.0', 4], // multicast
	['240.0.0.0', 4] // reserved, 255.255.255.255 broadcast included
] as const) {
	blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
	['::', 128], // unspecified
	['::1', 128], // loopback
	['100::', 64], // discard
	['2001:db8::', 32], // documentation
	['2001::', 32], // Teredo: tunnels to an IPv4 address
	['fc00::', 7], // unique local (fd00:ec2::254 metadata included)
	['fe80::', 10], // link-local
	['fec0::', 10], // site-local (deprecated)
	['ff00::', 8] // multicast
] as const) {
	blocked.addSubnet(net, prefix, 'ipv6');
}

/** Host names that are the machine itself or a cloud metadata service, whatever DNS says. */
const BLOCKED_NAMES = new Set([
	'localhost',
	'metadata',
	'metadata.google.internal',
	'metadata.goog',
	'instance-data',
	'instance-data.ec2.internal',
	'metadata.azure.internal'
]);

/** The 16 bytes of an IPv6 address (as net.isIP accepts it), or null. */
function ipv6Bytes(address: string): number[] | null {
	let text = address.split('%')[0];
	const tail: number[] = [];
	const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
	if (v4) {
		tail.push(...v4[1].split('.').map(Number));
		text = text.slice(0, -v4[1].length) + '0:0';
	}
	const [head, rest] = text.split('::');
	const part = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '') : []);
	const left = part(head);
	const right = rest === undefined ? [] : part(rest);
	const fill = rest === undefined ? 0 : 8 - left.length - right.length;
	const groups = [...left, ...Array(Math.max(0, fill)).fill('0'), ...right];
	if (groups.length !== 8) return null;
	const bytes = groups.flatMap((g) => {
		const n = parseInt(g, 16);
		return [n >> 8, n & 0xff];
	});
	if (tail.length) bytes.splice(12, 4, ...tail);
	return bytes;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedIpv4(address: string): string | null {
	const b = ipv6Bytes(address);
	if (!b) return null;
	const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
	const quad = (i: number) => b.slice(i, i + 4).join('.');
	if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return quad(12); // ::ffff:a.b.c.d
	if (zeros(0, 12)) return quad(12); // ::a.b.c.d (deprecated compatible form)
	if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return quad(12); // 64:ff9b::/96
	if (b[0] === 0x20 && b[1] === 0x02) return quad(2); // 2002:AABB:CCDD::/48
	return null;
}

/** Is this IP address one the server must not call (loopback, private, link-local, metadata, reserved…)? */
export function isForbiddenAddress(address: string): boolean {
	const family = isIP(address);
	if (family === 4) return blocked.check(address, 'ipv4');
	if (family === 6) {
		const bare = address.split('%')[0];
		if (blocked.check(bare, 'ipv6')) return true;
		const inner = embeddedIpv4(bare);
		return inner !== null && blocked.check(inner, 'ipv4');
	}
	return true; // not an address at all
}

/** A host name refused by name: localhost (and *.localhost) and the cloud metadata names. */
export function isForbiddenHostName(hostname: string): boolean {
	const name = hostname.toLowerCase().replace(/\.$/, '');
	return BLOCKED_NAMES.has(name) || name.endsWith('.localhost');
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
	new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

let allowanceOverride: boolean | null = null;
let resolverOverride: Resolver | null = null;

/** Whether the address check is lifted: CAUCUS_ALLOW_PRIVATE_TRACKERS=1, or a test said so. */
export function privateAddressesAllowed(): boolean {
	return allowanceOverride ?? config().allowPrivateTrackers;
}

/** Tests only: lift (true) or enforce (false) the address check in this process; null goes back to the configuration. */
export function allowPrivateAddresses(allowed: boolean | null): void {
	allowanceOverride = allowed;
}

/** Tests only: resolve host names with `resolver` (null: the system's resolver). */
export function resolveHostsWith(resolver: Resolver | null): void {
	resolverOverride = resolver;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/** Why the server may not call this host (a sentence naming it), or null when it may. Resolves names. */
async function refusal(
	hostname: string,
	resolver: Resolver,
	forbidden: (address: string) => boolean = isForbiddenAddress
): Promise<{ reason: string | null; addresses: LookupAddress[] }> {
	const host = hostname.replace(/^\[|\]$/g, '');
	if (isIP(host)) {
		return {
			reason: forbidden(host) ? `${host} is a loopback, private, link-local or reserved address` : null,
			addresses: [{ address: host, family: isIP(host) }]
		};
	}
	if (isForbiddenHostName(host)) return { reason: `${host} names this machine or a metadata service`, addresses: [] };
	const addresses = await resolver(host);
	const bad = addresses.find((a) => forbidden(a.address));
	if (bad) return { reason: `${host} resolves to ${bad.address}, a loopback, private, link-local or reserved address`, addresses };
	if (!addresses.length) return { reason: `${host} does not resolve to any address`, addresses };
	return { reason: null, addresses };
}

/**
 * The addresses of `hostname` (a name or an address literal) after checking them all; throws
 * OutgoingAddressError when any is internal. For callers that connect through another program (git), which pin
 * these addresses themselves. DNS errors are thrown as they come.
 */
export async function checkedAddresses(hostname: string, options: { resolver?: Resolver } = {}): Promise<LookupAddress[]> {
	const { reason, addresses } = await refusal(hostname, options.resolver ?? resolverOverride ?? systemResolver);
	if (reason) throw new OutgoingAddressError(`Caucus does not call internal addresses: ${reason}. ${ALLOWANCE_HINT}`);
	return addresses;
}

const ALLOWANCE_HINT = 'Set CAUCUS_ALLOW_PRIVATE_TRACKERS=1 if your trackers live on your own network.';

/**
 * Checks that the server may call `url` (http or https, a host that is not internal after resolution).
 * Throws OutgoingAddressError; a name that does not resolve right now is not refused here (the request will say).
 * For checking a tracker's base URL when it is saved.
 */
export async function checkOutgoingUrl(url: string, options: { resolver?: Resolver } = {}): Promise<void> {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new OutgoingAddressError('That is not a URL.');
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new OutgoingAddressError('Only http and https URLs can be called.');
	if (privateAddressesAllowed()) return;
	let verdict: { reason: string | null };
	try {
		const resolver = options.resolver ?? resolverOverride ?? systemResolver;
		let timer: NodeJS.Timeout | undefined;
		const slow = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('slow DNS')), SAVE_CHECK_TIMEOUT_MS)));
		verdict = await Promise.race([refusal(hostOf(parsed), resolver), slow]).finally(() => clearTimeout(timer));
	} catch {
		return; // unresolvable now: refused, if need be, when a request is made
	}
	if (verdict.reason) throw new OutgoingAddressError(`Caucus does not call internal addresses: ${verdict.reason}. ${ALLOWANCE_HINT}`);
}

/** A socket `lookup` that resolves, refuses forbidden addresses, and hands the connection exactly what it checked. */
function guardedLookup(resolver: Resolver, forbidden: (address: string) => boolean): LookupFunction {
	return (hostname, options, callback) => {
		refusal(hostname, resolver, forbidden).then(
			({ reason, addresses }) => {
				if (reason) {
					callback(
						Object.assign(new OutgoingAddressError(`Caucus does not call internal addresses: ${reason}. ${ALLOWANCE_HINT}`), { code: 'EFORBIDDENADDRESS' }),
						'',
						4
					);
					return;
				}
				const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
				if (!wanted.length) {
					callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address`), { code: 'ENOTFOUND' }), '', 4);
				} else if (options.all) {
					(callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted);
				} else {
					callback(null, wanted[0].address, wanted[0].family);
				}
			},
			(error: Error) => callback(error as NodeJS.ErrnoException, '', 4)
		);
	};
}

export interface OutgoingRequest {
	method?: string;
	headers?: Record<string, string>;
	body?: string;
	timeoutMs?: number;
	/** Tests: resolve names with this instead of the system's resolver. */
	resolver?: Resolver;
	/** Tests: decide the allowance here instead of the configuration. */
	allowPrivate?: boolean;
	/** Tests: which addresses are internal (default isForbiddenAddress), to test redirects between loopback servers. */
	forbidden?: (address: string) => boolean;
}

export interface OutgoingResponse {
	status: number;
	headers: Headers;
	text: string;
	/** The URL that answered, after redirects. */
	url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * One HTTP exchange with an outside server, redirects followed by hand (each hop checked). Throws
 * OutgoingAddressError for a refused address, another Error (with `code` when Node gives one) for network trouble.
 */
export async function outgoingRequest(url: string, init: OutgoingRequest = {}): Promise<OutgoingResponse> {
	const allowPrivate = init.allowPrivate ?? privateAddressesAllowed();
	const resolver = init.resolver ?? resolverOverride ?? systemResolver;
	const forbidden = init.forbidden ?? isForbiddenAddress;
	const signal = AbortSignal.timeout(init.timeoutMs ?? DEFAULT_TIMEOUT_MS);
	let current = new URL(url);
	let method = (init.method ?? 'GET').toUpperCase();
	let body = init.body;
	let headers = { ...(init.headers ?? {}) };
	for (let hop = 0; ; hop++) {
		if (current.protocol !== 'http:' && current.protocol !== 'https:')
			throw new OutgoingAddressError(`Caucus only follows http and https URLs, not ${current.protocol}`);
		if (!allowPrivate) {
			// Address literals never reach `lookup`: check them here. Names are checked as the socket resolves them.
			const host = hostOf(current);
			if (isIP(host) || isForbiddenHostName(host)) {
				const { reason } = await refusal(host, resolver, forbidden);
				if (reason) throw new OutgoingAddressError(`Caucus does not call internal addresses: ${reason}. ${ALLOWANCE_HINT}`);
			}
		}
		const response = await exchange(current, { method, headers, body, signal, lookup: allowPrivate ? undefined : guardedLookup(resolver, forbidden) });
		const location = response.headers.get('location');
		if (!REDIRECTS.has(response.status) || !location) return { ...response, url: current.href };
		if (hop >= MAX_REDIRECTS) throw Object.assign(new Error(`more than ${MAX_REDIRECTS} redirects`), { code: 'ETOOMANYREDIRECTS' });
		const next = new URL(location, current);
		if (next.origin !== current.origin) {
			// Credentials are for the host they were configured for, never for where it sends us.
			headers = Object.fromEntries(
				Object.entries(headers).filter(([name]) => !['authorization', 'cookie', 'proxy-authorization'].includes(name.toLowerCase()))
			);
		}
		if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
			method = method === 'HEAD' ? 'HEAD' : 'GET';
			body = undefined;
			headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !['content-type', 'content-length'].includes(name.toLowerCase())));
		}
		current = next;
	}
}

function exchange(
	url: URL,
	options: { method: string; headers: Record<string, string>; body: string | undefined; signal: AbortSignal; lookup: LookupFunction | undefined }
): Promise<{ status: number; headers: Headers; text: string }> {
	const client = url.protocol === 'https:' ? https : http;
	// What fetch sent by default, which some trackers expect (GitHub refuses a request without a User-Agent).
	const headers: Record<string, string> = { 'user-agent': 'Caucus', accept: '*/*', 'accept-encoding': 'gzip, deflate, br' };
	for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value;
	if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
	return new Promise((resolve, reject) => {
		const request = client.request(url, { method: options.method, headers, signal: options.signal, lookup: options.lookup, agent: false }, (response) => {
			const answer = new Headers();
			for (let i = 0; i < response.rawHeaders.length; i += 2) {
				try {
					answer.append(response.rawHeaders[i], response.rawHeaders[i + 1]);
				} catch {
					// a header value Headers refuses is left out
				}
			}
			let stream: Readable = response;
			const encoding = (response.headers['content-encoding'] ?? '').toLowerCase();
			if (encoding === 'gzip' || encoding === 'x-gzip') stream = response.pipe(createGunzip());
			else if (encoding === 'deflate') stream = response.pipe(createInflate());
			else if (encoding === 'br') stream = response.pipe(createBrotliDecompress());
			const chunks: Buffer[] = [];
			let size = 0;
			stream.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > MAX_BODY_BYTES) {
					request.destroy(Object.assign(new Error('the answer is too large'), { code: 'ETOOLARGE' }));
					return;
				}
				chunks.push(chunk);
			});
			stream.on('error', reject);
			response.on('error', reject);
			stream.on('end', () => resolve({ status: response.statusCode ?? 0, headers: answer, text: Buffer.concat(chunks).toString('utf8') }));
		});
		request.on('error', (error: NodeJS.ErrnoException) => {
			// The guard's refusal arrives wrapped as a socket error: hand it on as itself.
			reject(error);
		});
		if (options.body !== undefined) request.write(options.body);
		request.end();
	});
}
