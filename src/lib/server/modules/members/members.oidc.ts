import * as client from 'openid-client';
import { config, type OidcConfig } from '#lib/server/platform/config.ts';
import { inTransaction, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import { recordActivity } from '#lib/server/platform/activity.ts';
import { AppError, isUniqueViolation, type ErrorCode } from '#lib/server/platform/errors.ts';
import { insertMember } from './members.commands.ts';
import { findMemberRowByEmail, toActor } from './members.queries.ts';
import { email as emailSchema } from './members.schemas.ts';

/**
 * Sign-in with an OpenID Connect provider (CAUCUS_OIDC_*): the authorization code flow with PKCE, state and nonce,
 * through openid-client. A provider identity (issuer + subject) belongs to one member; a new identity joins the
 * member with the same e-mail only when the provider says it verified that e-mail.
 */

/** Why a sign-in with the provider did not finish; the sign-in page turns these codes into sentences. */
export const OIDC_FAILURES = ['expired', 'state', 'denied', 'failed', 'unavailable', 'unverified_email', 'no_email'] as const;
export type OidcFailure = (typeof OIDC_FAILURES)[number];

const failureCodes: Record<OidcFailure, ErrorCode> = {
	expired: 'invalid_input',
	state: 'invalid_input',
	denied: 'unauthenticated',
	failed: 'unauthenticated',
	unavailable: 'unauthenticated',
	unverified_email: 'conflict',
	no_email: 'invalid_input'
};

/** What a member reads when the sign-in did not finish; `provider` is the configured name, e.g. "Company SSO". */
export function oidcFailureMessage(reason: OidcFailure, provider: string): string {
	switch (reason) {
		case 'expired':
			return 'That sign-in took too long or began in another browser. Try again.';
		case 'state':
			return 'That sign-in answer does not belong to a sign-in this browser started, so it was ignored. Try again.';
		case 'denied':
			return `Sign-in with ${provider} was cancelled.`;
		case 'failed':
			return `${provider} did not complete the sign-in. Try again, or sign in with your password.`;
		case 'unavailable':
			return `${provider} cannot be reached right now. Try again later, or sign in with your password.`;
		case 'unverified_email':
			return `An account here already uses that e-mail, but ${provider} has not verified the address, so the two were not joined. Sign in with your password, or verify the address with ${provider} and try again.`;
		case 'no_email':
			return `${provider} did not share a valid e-mail address, which an account here needs. Allow it to share your e-mail and try again.`;
	}
}

export function isOidcFailure(value: unknown): value is OidcFailure {
	return typeof value === 'string' && (OIDC_FAILURES as readonly string[]).includes(value);
}

export class OidcSignInError extends AppError {
	readonly reason: OidcFailure;
	constructor(reason: OidcFailure, provider: string, options?: { cause?: unknown }) {
		super(failureCodes[reason], oidcFailureMessage(reason, provider));
		this.name = 'OidcSignInError';
		this.reason = reason;
		if (options?.cause !== undefined) this.cause = options.cause;
	}
}

/** The secrets of one sign-in that the browser keeps (in an HttpOnly cookie) between leaving and coming back. */
export interface OidcFlow {
	state: string;
	nonce: string;
	codeVerifier: string;
}

export interface OidcResult {
	memberId: number;
	/** `signed_in`: a known identity; `linked`: joined to the member with that verified e-mail; `created`: a new member. */
	outcome: 'signed_in' | 'linked' | 'created';
}

function requireSettings(settings: OidcConfig | null | undefined): OidcConfig {
	if (!settings) throw new AppError('not_found', 'Sign-in with an OpenID Connect provider is not set up on this site.');
	return settings;
}

/** True for localhost and the loopback addresses, the only hosts allowed to speak plain http (tests, development). */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
	return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

// One discovered Configuration per provider setting for the life of the process; a failed discovery is forgotten
// so the next sign-in tries again. openid-client refetches the provider's keys itself when they rotate.
const configurations = new Map<string, Promise<client.Configuration>>();

async function discover(settings: OidcConfig): Promise<client.Configuration> {
	const issuer = new URL(settings.issuer);
	const execute: Array<(c: client.Configuration) => void> = [];
	if (issuer.protocol === 'http:') {
		if (!isLoopbackHost(issuer.hostname)) throw new Error(`CAUCUS_OIDC_ISSUER must use https (plain http is only allowed on loopback): ${settings.issuer}`);
		execute.push(client.allowInsecureRequests);
	}
	// client_secret_basic is the OpenID Connect default; use client_secret_post only for providers that support nothing else.
	let configuration = await client.discovery(issuer, settings.clientId, settings.clientSecret, client.ClientSecretBasic(settings.clientSecret), {
		execute,
		timeout: 10
	});
	const methods = configuration.serverMetadata().token_endpoint_auth_methods_supported;
	if (methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
		configuration = new client.Configuration(
			configuration.serverMetadata(),
			settings.clientId,
			settings.clientSecret,
			client.ClientSecretPost(settings.clientSecret)
		);
		for (const apply of execute) apply(configuration);
	}
	return configuration;
}

async function configurationFor(settings: OidcConfig): Promise<client.Configuration> {
	const key = JSON.stringify([settings.issuer, settings.clientId, settings.clientSecret]);
	let found = configurations.get(key);
	if (!found) {
		found = discover(settings);
		configurations.set(key, found);
		found.catch(() => configurations.delete(key));
	}
	try {
		return await found;
	} catch (error) {
		throw new OidcSignInError('unavailable', settings.name, { cause: error });
	}
}

/**
 * Begins a sign-in: the URL to send the browser to, and the state, nonce and PKCE verifier to keep until it comes
 * back to `redirectUri`.
 */
export async function startOidcSignIn(options: { redirectUri: string; settings?: OidcConfig | null }): Promise<OidcFlow & { url: URL }> {
	const settings = requireSettings(options.settings === undefined ? config().oidc : options.settings);
	const configuration = await configurationFor(settings);
	const flow: OidcFlow = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
	const url = client.buildAuthorizationUrl(configuration, {
		redirect_uri: options.redirectUri,
		response_type: 'code',
		scope: 'openid email profile',
		state: flow.state,
		nonce: flow.nonce,
		code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
		code_challenge_method: 'S256'
	});
	return { ...flow, url };
}

interface ProviderClaims {
	sub: string;
	email: string | null;
	emailVerified: boolean;
	name: string | null;
	preferredUsername: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);

function readClaims(claims: Record<string, unknown>): Omit<ProviderClaims, 'sub'> {
	const parsedEmail = emailSchema.safeParse(claims.email);
	const given = [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ');
	return {
		email: parsedEmail.success ? parsedEmail.data : null,
		// Some providers send the boolean as a string.
		emailVerified: claims.email_verified === true || claims.email_verified === 'true',
		name: text(claims.name) ?? (given || null),
		preferredUsername: text(claims.preferred_username) ?? text(claims.nickname)
	};
}

/**
 * Finishes a sign-in at the redirect URI: checks the state, exchanges the code (PKCE), validates the ID token
 * (signature, issuer, audience, expiry, nonce), reads the e-mail from the ID token and the userinfo endpoint, then
 * finds, links or creates the member. Returns the member to start a session for.
 */
export async function completeOidcSignIn(ctx: Ctx, input: { currentUrl: URL; expected: OidcFlow | null; settings?: OidcConfig | null }): Promise<OidcResult> {
	const settings = requireSettings(input.settings === undefined ? config().oidc : input.settings);
	const { currentUrl, expected } = input;
	if (!expected) throw new OidcSignInError('expired', settings.name);
	if (currentUrl.searchParams.get('state') !== expected.state) throw new OidcSignInError('state', settings.name);
	const providerError = currentUrl.searchParams.get('error');
	if (providerError) throw new OidcSignInError(providerError === 'access_denied' ? 'denied' : 'failed', settings.name);

	const configuration = await configurationFor(settings);
	let claims: ProviderClaims;
	try {
		const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
			expectedState: expected.state,
			expectedNonce: expected.nonce,
			pkceCodeVerifier: expected.codeVerifier,
			idTokenExpected: true
		});
		const idToken = tokens.claims();
		if (!idToken) throw new Error('the token response has no ID token');
		let all: Record<string, unknown> = idToken;
		// Providers often keep e-mail and profile claims out of the ID token; the userinfo answer must be about the same subject.
		if (tokens.access_token && configuration.serverMetadata().userinfo_endpoint) {
			const userinfo = await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
			all = { ...idToken, ...userinfo };
		}
		claims = { sub: idToken.sub, ...readClaims(all) };
	} catch (error) {
		if (error instanceof AppError) throw error;
		throw new OidcSignInError('failed', settings.name, { cause: error });
	}
	const issuer = configuration.serverMetadata().issuer;

	// A race with another sign-in of the same person (or of someone taking the same handle) ends in a unique
	// violation; the second attempt then finds what the first one wrote.
	for (let attempt = 1; ; attempt++) {
		try {
			return await inTransaction(ctx, (tx) => findOrCreateMember(tx, settings, issuer, claims));
		} catch (error) {
			const raced = isUniqueViolation(error) || (error instanceof AppError && error.code === 'conflict' && !(error instanceof OidcSignInError));
			if (!raced || attempt >= 3 || ctx.db.isTransaction) throw error;
		}
	}
}

async function findOrCreateMember(tx: TxCtx, settings: OidcConfig, issuer: string, claims: ProviderClaims): Promise<OidcResult> {
	const known = await tx.db.selectFrom('member_identity').select('member_id').where('issuer', '=', issuer).where('subject', '=', claims.sub).executeTakeFirst();
	if (known) return { memberId: known.member_id, outcome: 'signed_in' };

	if (!claims.email) throw new OidcSignInError('no_email', settings.name);
	const existing = await findMemberRowByEmail(tx.db, claims.email);
	if (existing) {
		// Joining on an address the provider has not verified would let anyone who types a member's e-mail at
		// the provider take over that member's account.
		if (!claims.emailVerified) throw new OidcSignInError('unverified_email', settings.name);
		await linkIdentity(tx, existing.id, issuer, claims);
		if (!existing.email_verified) {
			await tx.db.updateTable('member').set({ email_verified: true, updated_at: tx.now() }).where('id', '=', existing.id).execute();
		}
		await recordActivity(
			{ ...tx, actor: toActor(existing, 'session') },
			{ action: 'member.linked_identity', subjectType: 'member', subjectId: existing.id, data: { issuer, provider: settings.name } }
		);
		return { memberId: existing.id, outcome: 'linked' };
	}

	const handle = await freeHandle(tx, claims.preferredUsername ?? claims.email.split('@')[0]);
	const row = await insertMember(tx, {
		email: claims.email,
		handle,
		displayName: (claims.name ?? claims.preferredUsername ?? claims.email.split('@')[0]).slice(0, 80),
		passwordHash: null,
		emailVerified: claims.emailVerified
	});
	await linkIdentity(tx, row.id, issuer, claims);
	await recordActivity(
		{ ...tx, actor: toActor(row, 'session') },
		{ action: 'member.signed_up', subjectType: 'member', subjectId: row.id, data: { via: 'oidc', issuer, provider: settings.name } }
	);
	return { memberId: row.id, outcome: 'created' };
}

async function linkIdentity(tx: TxCtx, memberId: number, issuer: string, claims: ProviderClaims): Promise<void> {
	await tx.db.insertInto('member_identity').values({ issuer, subject: claims.sub, member_id: memberId, email: claims.email, created_at: tx.now() }).execute();
}

const HANDLE_MAX = 32;

/** A handle shaped like the sign-up form wants it (a-z, 0-9, inner hyphens, 2–32 characters) from any name. */
export function handleFrom(name: string): string {
	const base = name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, HANDLE_MAX - 6)
		.replace(/-+$/, '');
	return base.length >= 2 ? base : `member${base ? `-${base}` : ''}`;
}

/** `base`, or `base-2`, `base-3`… whichever is the first not taken. */
async function freeHandle(tx: TxCtx, name: string): Promise<string> {
	const base = handleFrom(name);
	const taken = await tx.db
		.selectFrom('member')
		.select((eb) => eb.fn<string>('lower', ['handle']).as('handle'))
		.where((eb) => eb.or([eb(eb.fn('lower', ['handle']), '=', base), eb(eb.fn('lower', ['handle']), 'like', `${base}-%`)]))
		.execute();
	const used = new Set(taken.map((r) => r.handle));
	if (!used.has(base)) return base;
	for (let n = 2; ; n++) {
		const candidate = `${base}-${n}`;
		if (!used.has(candidate)) return candidate;
	}
}
