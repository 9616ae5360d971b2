import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '#lib/server/platform/config.ts';
import {
	allowPrivateAddresses,
	checkOutgoingUrl,
	isForbiddenAddress,
	isForbiddenHostName,
	MAX_REDIRECTS,
	OutgoingAddressError,
	outgoingRequest,
	type Resolver
} from './outgoing.ts';

/*
 * The outgoing-address guard: which addresses are internal, names that resolve to them, and redirects checked at
 * every hop. Two loopback servers stand in for "an outside host" (127.0.0.1, declared public by the test's
 * `forbidden`) and "an internal service" (127.0.0.2): every request the internal one receives is a failure.
 */

const rejection = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(error: unknown) => error as Error & { code?: string }
	);

describe('internal addresses', () => {
	it('are refused: loopback, unspecified, private, CGNAT, link-local, metadata, multicast, broadcast and reserved', () => {
		for (const address of [
			'127.0.0.1',
			'127.255.255.254',
			'0.0.0.0',
			'10.0.0.1',
			'10.255.255.255',
			'172.16.0.1',
			'172.31.255.255',
			'192.168.1.1',
			'100.64.0.1',
			'100.127.255.255',
			'169.254.169.254',
			'169.254.0.1',
			'224.0.0.1',
			'239.255.255.250',
			'255.255.255.255',
			'240.0.0.1',
			'192.0.0.192',
			'::1',
			'::',
			'fc00::1',
			'fd00:ec2::254',
			'fe80::1',
			'fe80::1%eth0',
			'ff02::1'
		]) {
			expect(isForbiddenAddress(address), address).toBe(true);
		}
	});

	it('are refused in their IPv6 forms: IPv4-mapped, IPv4-compatible, NAT64 and 6to4', () => {
		for (const address of [
			'::ffff:127.0.0.1',
			'::ffff:7f00:1',
			'::ffff:169.254.169.254',
			'::ffff:a9fe:a9fe',
			'::ffff:10.0.0.1',
			'::127.0.0.1',
			'64:ff9b::a9fe:a9fe',
			'64:ff9b::127.0.0.1',
			'2002:7f00:1::1',
			'2002:c0a8:101::'
		]) {
			expect(isForbiddenAddress(address), address).toBe(true);
		}
	});

	it('leave public addresses alone, including the neighbours of the refused ranges', () => {
		for (const address of [
			'8.8.8.8',
			'1.1.1.1',
			'140.82.112.3',
			'100.63.255.255',
			'100.128.0.1',
			'172.15.255.255',
			'172.32.0.1',
			'169.253.255.255',
			'11.0.0.1',
			'2606:4700:4700::1111',
			'2a00:1450:4001::200e',
			'::ffff:8.8.8.8',
			'64:ff9b::808:808'
		]) {
			expect(isForbiddenAddress(address), address).toBe(false);
		}
	});

	it('include localhost and the cloud metadata names, whatever DNS says', () => {
		for (const name of ['localhost', 'LOCALHOST.', 'api.localhost', 'metadata.google.internal', 'metadata', 'instance-data'])
			expect(isForbiddenHostName(name), name).toBe(true);
		for (const name of ['api.github.com', 'gitlab.example.org', 'localhost.example.org']) expect(isForbiddenHostName(name), name).toBe(false);
	});
});

describe('the allowance', () => {
	it('is CAUCUS_ALLOW_PRIVATE_TRACKERS=1, off unless set, and a wrong value stops the start', () => {
		expect(parseConfig({}).allowPrivateTrackers).toBe(false);
		expect(parseConfig({ CAUCUS_ALLOW_PRIVATE_TRACKERS: '0' }).allowPrivateTrackers).toBe(false);
		expect(parseConfig({ CAUCUS_ALLOW_PRIVATE_TRACKERS: '1' }).allowPrivateTrackers).toBe(true);
		expect(() => parseConfig({ CAUCUS_ALLOW_PRIVATE_TRACKERS: 'yes' })).toThrow(ConfigError);
	});
});

describe('outgoing requests', () => {
	let outside: Server;
	let internal: Server;
	let outsidePort: number;
	let internalPort: number;
	const internalHits: IncomingMessage[] = [];
	const outsideHits: IncomingMessage[] = [];
	/** public.example is 127.0.0.1 (the stand-in outside host); internal.example is 127.0.0.2. */
	const resolver: Resolver = async (host) => {
		if (host === 'public.example') return [{ address: '127.0.0.1', family: 4 }];
		if (host === 'internal.example') return [{ address: '127.0.0.2', family: 4 }];
		if (host === 'both.example')
			return [
				{ address: '127.0.0.1', family: 4 },
				{ address: '10.1.2.3', family: 4 }
			];
		if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
		throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
	};
	/** As the guard decides, except that 127.0.0.1 plays an outside host. */
	const forbidden = (address: string) => address !== '127.0.0.1' && isForbiddenAddress(address);
	const guarded = { allowPrivate: false, resolver, forbidden };

	beforeAll(async () => {
		internal = createServer((req, res) => {
			internalHits.push(req);
			res.writeHead(200, { 'content-type': 'text/plain' }).end('internal secret');
		});
		await new Promise<void>((resolve) => internal.listen(0, '127.0.0.2', resolve));
		internalPort = (internal.address() as AddressInfo).port;
		outside = createServer((req, res) => {
			outsideHits.push(req);
			const url = new URL(req.url ?? '/', 'http://x');
			const to = url.searchParams.get('to');
			if (url.pathname === '/redirect' && to) return void res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: to }).end();
			if (url.pathname === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
			res
				.writeHead(200, { 'content-type': 'application/json' })
				.end(JSON.stringify({ method: req.method, path: url.pathname, authorization: req.headers.authorization ?? null }));
		});
		await new Promise<void>((resolve) => outside.listen(0, '127.0.0.1', resolve));
		outsidePort = (outside.address() as AddressInfo).port;
	});
	afterAll(async () => {
		await Promise.all([outside, internal].map((s) => new Promise((resolve) => s.close(resolve))));
	});
	afterEach(() => {
		allowPrivateAddresses(null);
		internalHits.length = 0;
		outsideHits.length = 0;
	});

	it('reach an outside host', async () => {
		const answer = await outgoingRequest(`http://public.example:${outsidePort}/hello`, { ...guarded, headers: { authorization: 'Bearer t' } });
		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.text)).toEqual({ method: 'GET', path: '/hello', authorization: 'Bearer t' });
	});

	it('refuse loopback addresses, literal or mapped, and a name that resolves to one (localhost), before connecting', async () => {
		for (const url of [
			`http://127.0.0.2:${internalPort}/`,
			`http://[::ffff:127.0.0.2]:${internalPort}/`,
			`http://internal.example:${internalPort}/`,
			`http://localhost:${internalPort}/`
		]) {
			expect(await rejection(outgoingRequest(url, { ...guarded, headers: { authorization: 'Bearer secret' } })), url).toBeInstanceOf(OutgoingAddressError);
		}
		// With the real rules and the system's resolver too: localhost is this machine.
		expect(await rejection(outgoingRequest(`http://localhost:${outsidePort}/`, { allowPrivate: false }))).toBeInstanceOf(OutgoingAddressError);
		expect(await rejection(outgoingRequest(`http://127.0.0.1:${outsidePort}/`, { allowPrivate: false }))).toBeInstanceOf(OutgoingAddressError);
		expect(internalHits).toHaveLength(0);
		expect(outsideHits).toHaveLength(0);
	});

	it('refuse a name when any of its addresses is internal', async () => {
		expect(await rejection(outgoingRequest(`http://both.example:${outsidePort}/`, guarded))).toBeInstanceOf(OutgoingAddressError);
		expect(outsideHits).toHaveLength(0);
	});

	it('check every redirect: an outside host cannot send the request on to an internal one', async () => {
		for (const to of [
			`http://127.0.0.2:${internalPort}/secret`,
			`http://internal.example:${internalPort}/secret`,
			`http://[::ffff:7f00:2]:${internalPort}/secret`
		]) {
			for (const status of [301, 302, 303, 307, 308]) {
				const url = `http://public.example:${outsidePort}/redirect?status=${status}&to=${encodeURIComponent(to)}`;
				const error = await rejection(outgoingRequest(url, { ...guarded, headers: { authorization: 'Bearer secret' } }));
				expect(error, `${status} → ${to}`).toBeInstanceOf(OutgoingAddressError);
			}
		}
		expect(internalHits).toHaveLength(0);
	});

	it('follow redirects between outside hosts, without the credentials across origins, at most MAX_REDIRECTS', async () => {
		const same = await outgoingRequest(`http://public.example:${outsidePort}/redirect?to=/landed`, { ...guarded, headers: { authorization: 'Bearer t' } });
		expect(JSON.parse(same.text)).toMatchObject({ path: '/landed', authorization: 'Bearer t' });
		const cross = await outgoingRequest(`http://public.example:${outsidePort}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${outsidePort}/landed`)}`, {
			...guarded,
			headers: { authorization: 'Bearer t' }
		});
		expect(JSON.parse(cross.text)).toMatchObject({ path: '/landed', authorization: null });
		const posted = await outgoingRequest(`http://public.example:${outsidePort}/redirect?status=303&to=/landed`, { ...guarded, method: 'POST', body: '{}' });
		expect(JSON.parse(posted.text)).toMatchObject({ method: 'GET' });
		expect((await rejection(outgoingRequest(`http://public.example:${outsidePort}/loop`, guarded)))?.code).toBe('ETOOMANYREDIRECTS');
		expect(outsideHits.filter((r) => r.url === '/loop')).toHaveLength(MAX_REDIRECTS + 1);
	});

	it('refuse redirects to other schemes', async () => {
		expect(
			await rejection(outgoingRequest(`http://public.example:${outsidePort}/redirect?to=${encodeURIComponent('file:///etc/passwd')}`, guarded))
		).toBeInstanceOf(OutgoingAddressError);
	});

	it('reach internal addresses when the administrator allows them (CAUCUS_ALLOW_PRIVATE_TRACKERS=1)', async () => {
		allowPrivateAddresses(true);
		const answer = await outgoingRequest(`http://127.0.0.2:${internalPort}/`);
		expect(answer).toMatchObject({ status: 200, text: 'internal secret' });
		allowPrivateAddresses(false);
		expect(await rejection(outgoingRequest(`http://127.0.0.2:${internalPort}/`))).toBeInstanceOf(OutgoingAddressError);
		expect(internalHits).toHaveLength(1);
	});

	it('check a URL when it is saved', async () => {
		allowPrivateAddresses(false);
		for (const url of [
			'http://127.0.0.1:3812',
			'http://169.254.169.254/latest',
			'http://[::1]/',
			'http://localhost/',
			'http://metadata.google.internal/',
			'http://internal.example/'
		]) {
			expect(await rejection(checkOutgoingUrl(url, { resolver })), url).toBeInstanceOf(OutgoingAddressError);
		}
		// Not refused: a public host, and a name that does not resolve right now (the request will say).
		expect(await rejection(checkOutgoingUrl('https://public.example/', { resolver: async () => [{ address: '140.82.112.3', family: 4 }] }))).toBeNull();
		expect(await rejection(checkOutgoingUrl('https://nowhere.example/', { resolver }))).toBeNull();
		allowPrivateAddresses(true);
		expect(await rejection(checkOutgoingUrl('http://127.0.0.1:3812', { resolver }))).toBeNull();
	});
});
