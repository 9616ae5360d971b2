import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/**
 * A real OpenID Connect provider (the `oidc-provider` package) for tests, on 127.0.0.1 at a random port.
 *
 * Login goes through the provider's own development pages ("devInteractions"); nothing checks a password:
 *
 *   1. The provider shows a form with `<input name="login">` and `<input name="password" type="password">`.
 *      Fill `login` with the `sub` of one of `accounts` and `password` with anything.
 *   2. Click the submit button, whose text is "Sign-in" (`button[type=submit]`, class `login-submit`).
 *   3. The browser lands on `redirectUri?code=…&state=…&iss=…`. There is no consent page: the test client is
 *      treated as first-party and granted `openid email profile` at once.
 *
 * The provider remembers a login in its own session cookie, so a second sign-in in the same browser context goes
 * straight back to the redirect URI without the form; use a new browser context to sign in as someone else.
 * The link "[ Cancel ]" under the form sends the browser back to the redirect URI with `error=access_denied`
 * (`signInAtTestProvider(url, '', { cancel: true })` does the same without a browser).
 */

/** Claims of an account at the test provider; `sub` is also what goes into the login form. */
export interface TestOidcAccount {
	sub: string;
	email?: string;
	email_verified?: boolean;
	name?: string;
	preferred_username?: string;
	[claim: string]: unknown;
}

export interface TestOidcProvider {
	/** The issuer URL, e.g. http://127.0.0.1:41234 — what CAUCUS_OIDC_ISSUER is set to. */
	issuer: string;
	/** The accounts by `sub`; tests may add or change accounts while the provider runs. */
	accounts: Map<string, TestOidcAccount>;
	close(): Promise<void>;
}

export async function startTestOidcProvider(options: {
	clientId: string;
	clientSecret: string;
	redirectUri: string | string[];
	accounts?: TestOidcAccount[];
}): Promise<TestOidcProvider> {
	const accounts = new Map((options.accounts ?? []).map((account) => [account.sub, account]));
	const server: Server = createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	const issuer = `http://127.0.0.1:${port}`;

	const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
	const provider = new Provider(issuer, {
		clients: [
			{
				client_id: options.clientId,
				client_secret: options.clientSecret,
				redirect_uris: Array.isArray(options.redirectUri) ? options.redirectUri : [options.redirectUri],
				response_types: ['code'],
				grant_types: ['authorization_code']
			}
		],
		jwks: { keys: [{ ...signingKey, kid: 'test-signing-key', use: 'sig', alg: 'RS256' }] },
		cookies: { keys: [randomBytes(24).toString('base64url')] },
		claims: {
			openid: ['sub'],
			email: ['email', 'email_verified'],
			profile: ['name', 'given_name', 'family_name', 'preferred_username', 'nickname']
		},
		features: { devInteractions: { enabled: true } },
		ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
		async findAccount(_ctx: KoaContextWithOIDC, id: string) {
			if (!accounts.has(id)) return undefined;
			return { accountId: id, claims: async () => ({ ...accounts.get(id), sub: id }) };
		},
		// A first-party client: grant what it asks for without a consent page.
		async loadExistingGrant(ctx: KoaContextWithOIDC) {
			const { oidc } = ctx;
			if (!oidc.session || !oidc.client) return undefined;
			const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
			if (grantId) return oidc.provider.Grant.find(grantId);
			const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
			grant.addOIDCScope('openid email profile');
			await grant.save();
			return grant;
		}
	});
	server.on('request', provider.callback());

	return {
		issuer,
		accounts,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.closeAllConnections();
				server.close((error) => (error ? reject(error) : resolve()));
			})
	};
}

/**
 * Plays the browser at the test provider without a browser: follows the authorization URL, submits the login
 * form for `login` (an account's `sub`), or cancels with `cancel`, and returns the URL the provider sent the browser
 * back to (the redirect URI with `code` and `state`, or with `error`).
 */
export async function signInAtTestProvider(authorizationUrl: URL, login: string, options: { cancel?: boolean } = {}): Promise<URL> {
	const cookies = new Map<string, string>();
	const origin = authorizationUrl.origin;
	const send = async (url: URL, init: RequestInit = {}) => {
		const response = await fetch(url, {
			...init,
			redirect: 'manual',
			headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
		});
		for (const line of response.headers.getSetCookie()) {
			const [pair, ...attributes] = line.split(';');
			const at = pair.indexOf('=');
			const name = pair.slice(0, at).trim();
			const value = pair.slice(at + 1).trim();
			const expired = !value || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()));
			if (expired) cookies.delete(name);
			else cookies.set(name, value);
		}
		return response;
	};

	let url = authorizationUrl;
	let submitted = false;
	for (let step = 0; step < 10; step++) {
		let response = await send(url);
		if (response.status === 200 && /^\/interaction\/[^/]+$/.test(url.pathname) && !submitted) {
			submitted = true;
			await response.body?.cancel();
			response = options.cancel
				? await send(new URL(`${url.pathname}/abort`, origin))
				: await send(url, {
						method: 'POST',
						headers: { 'content-type': 'application/x-www-form-urlencoded' },
						body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString()
					});
		}
		const location = response.headers.get('location');
		if (response.status < 300 || response.status >= 400 || !location) {
			throw new Error(`The test provider answered ${response.status} at ${url.pathname}: ${(await response.text()).slice(0, 500)}`);
		}
		await response.body?.cancel();
		const next = new URL(location, url);
		if (next.origin !== origin) return next;
		url = next;
	}
	throw new Error('The test provider redirected too many times.');
}
