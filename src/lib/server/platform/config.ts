import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';

/** The most HTTP worker processes `caucus serve` forks; by default one per CPU, at most DEFAULT_MAX_WORKERS. */
export const MAX_WORKERS = 64;
const DEFAULT_MAX_WORKERS = 8;

/**
 * Every setting Caucus reads from its environment, validated once at start.
 * A wrong value stops the start with a message naming the setting and how to fix it.
 */
const settings = z.object({
	PORT: z.coerce
		.number({ error: 'must be a port number from 0 to 65535' })
		.int('must be a whole port number')
		.min(0)
		.max(65535, 'must be at most 65535')
		.default(3000),
	HOST: z.string().min(1).default('127.0.0.1'),
	ORIGIN: z.url({ protocol: /^https?$/, error: 'must be the public URL of the site, e.g. https://caucus.example.org' }).optional(),
	DATABASE_URL: z
		.string()
		.regex(/^postgres(ql)?:\/\//, 'must start with postgres:// (leave it unset to use the embedded database)')
		.optional(),
	CAUCUS_DATA: z.string().min(1).default('./data'),
	CAUCUS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
	CAUCUS_SITE_NAME: z.string().min(1).max(80).default('Caucus'),
	CAUCUS_OIDC_ISSUER: z.url({ error: 'must be the issuer URL of your OpenID Connect provider' }).optional(),
	CAUCUS_OIDC_CLIENT_ID: z.string().min(1).optional(),
	CAUCUS_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
	CAUCUS_OIDC_NAME: z.string().min(1).max(40).default('single sign-on'),
	CAUCUS_SIGNIN_MAX_ATTEMPTS: z.coerce.number({ error: 'must be a whole number from 1 to 1000' }).int().min(1).max(1000).default(5),
	CAUCUS_SIGNIN_WINDOW_MINUTES: z.coerce.number({ error: 'must be a number of minutes from 1 to 1440' }).int().min(1).max(1440).default(15),
	CAUCUS_SIGNUP_MAX_PER_ADDRESS: z.coerce
		.number({ error: 'must be a whole number of sign-ups from 1 to 10000' })
		.int('must be a whole number of sign-ups from 1 to 10000')
		.min(1)
		.max(10_000)
		.default(5),
	CAUCUS_SIGNUP_WINDOW_MINUTES: z.coerce
		.number({ error: 'must be a number of minutes from 1 to 10080' })
		.int('must be a whole number of minutes from 1 to 10080')
		.min(1)
		.max(10_080)
		.default(60),
	CAUCUS_METRICS_TOKEN: z
		.string()
		.min(16, 'must be at least 16 characters, e.g. from `openssl rand -hex 32`')
		.max(200, 'must be at most 200 characters')
		.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces, e.g. from `openssl rand -hex 32`')
		.optional(),
	CAUCUS_SECRET_KEY: z
		.string()
		.regex(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, 'must be 32 random bytes as 64 hex digits or base64, e.g. from `openssl rand -hex 32`')
		.optional(),
	CAUCUS_WORKERS: z.coerce
		.number({ error: `must be a whole number of HTTP worker processes from 1 to ${MAX_WORKERS}` })
		.int(`must be a whole number of HTTP worker processes from 1 to ${MAX_WORKERS}`)
		.min(1, `must be at least 1 (one process, no cluster)`)
		.max(MAX_WORKERS, `must be at most ${MAX_WORKERS}`)
		.optional(),
	CAUCUS_DB_POOL: z.coerce
		.number({ error: 'must be a whole number of PostgreSQL connections per process from 1 to 100' })
		.int('must be a whole number of PostgreSQL connections per process from 1 to 100')
		.min(1, 'must be at least 1')
		.max(100, 'must be at most 100')
		.optional(),
	CAUCUS_ALLOW_PRIVATE_TRACKERS: z.enum(['0', '1'], { error: 'must be 1 (trackers may live on loopback, private or link-local addresses) or 0' }).default('0')
});

type Settings = z.infer<typeof settings>;

export interface OidcConfig {
	issuer: string;
	clientId: string;
	clientSecret: string;
	name: string;
}

export interface Config {
	port: number;
	host: string;
	origin: string | undefined;
	database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
	logLevel: Settings['CAUCUS_LOG_LEVEL'];
	siteName: string;
	secureCookies: boolean;
	oidc: OidcConfig | null;
	signIn: { maxAttempts: number; windowMinutes: number };
	/** Sign-up attempts allowed per client address in a sliding window (decision 0012). */
	signUp: { maxPerAddress: number; windowMinutes: number };
	/** A bearer token that lets a scraper read /metrics from beyond loopback; without it only loopback may (decision 0012). */
	metricsToken: string | undefined;
	/** The site key that encrypts tracker credentials (hex or base64 of 32 bytes); see platform/auth/encryption.ts. */
	secretKey: string | undefined;
	/**
	 * HTTP worker processes of `caucus serve` (node:cluster when more than one): on PostgreSQL one per CPU up
	 * to 8 unless CAUCUS_WORKERS says; always 1 on the embedded database, which one process alone can open.
	 */
	workers: number;
	/** PostgreSQL connections each process keeps at most (CAUCUS_DB_POOL, else `defaultDatabasePool(workers)`). */
	databasePool: number;
	/** Trackers and forges may be called on loopback, private and link-local addresses (platform/http/outgoing.ts). */
	allowPrivateTrackers: boolean;
}

/**
 * Connections per process: 10 for one process; with several workers fewer each (40 in all, at least 3
 * each), so eight workers and the primary stay well below PostgreSQL's default max_connections of 100.
 */
export function defaultDatabasePool(workers: number): number {
	return workers > 1 ? Math.max(3, Math.min(10, Math.floor(40 / workers))) : 10;
}

export class ConfigError extends Error {
	readonly problems: string[];
	constructor(problems: string[]) {
		super(`Caucus cannot start, its configuration is wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
		this.name = 'ConfigError';
		this.problems = problems;
	}
}

export function parseConfig(env: Record<string, string | undefined>): Config {
	const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
	const parsed = settings.safeParse(present);
	if (!parsed.success) {
		throw new ConfigError(
			parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message} (got ${JSON.stringify(present[String(issue.path[0])])})`)
		);
	}
	const s = parsed.data;
	const oidcParts = [s.CAUCUS_OIDC_ISSUER, s.CAUCUS_OIDC_CLIENT_ID, s.CAUCUS_OIDC_CLIENT_SECRET];
	if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
		throw new ConfigError([
			'CAUCUS_OIDC_ISSUER, CAUCUS_OIDC_CLIENT_ID and CAUCUS_OIDC_CLIENT_SECRET go together: set all three to enable OpenID Connect sign-in, or none'
		]);
	}
	if (s.CAUCUS_WORKERS && s.CAUCUS_WORKERS > 1 && !s.DATABASE_URL) throw new ConfigError([workersNeedPostgres('CAUCUS_WORKERS', s.CAUCUS_WORKERS)]);
	const workers = s.CAUCUS_WORKERS ?? (s.DATABASE_URL ? Math.min(availableParallelism(), DEFAULT_MAX_WORKERS) : 1);
	return {
		port: s.PORT,
		host: s.HOST,
		origin: s.ORIGIN,
		database: s.DATABASE_URL ? { kind: 'postgres', url: s.DATABASE_URL } : { kind: 'pglite', dataDir: resolve(s.CAUCUS_DATA) },
		logLevel: s.CAUCUS_LOG_LEVEL,
		siteName: s.CAUCUS_SITE_NAME,
		secureCookies: s.ORIGIN?.startsWith('https:') ?? false,
		oidc: s.CAUCUS_OIDC_ISSUER
			? { issuer: s.CAUCUS_OIDC_ISSUER, clientId: s.CAUCUS_OIDC_CLIENT_ID!, clientSecret: s.CAUCUS_OIDC_CLIENT_SECRET!, name: s.CAUCUS_OIDC_NAME }
			: null,
		signIn: { maxAttempts: s.CAUCUS_SIGNIN_MAX_ATTEMPTS, windowMinutes: s.CAUCUS_SIGNIN_WINDOW_MINUTES },
		signUp: { maxPerAddress: s.CAUCUS_SIGNUP_MAX_PER_ADDRESS, windowMinutes: s.CAUCUS_SIGNUP_WINDOW_MINUTES },
		metricsToken: s.CAUCUS_METRICS_TOKEN,
		secretKey: s.CAUCUS_SECRET_KEY,
		workers,
		databasePool: s.CAUCUS_DB_POOL ?? defaultDatabasePool(workers),
		allowPrivateTrackers: s.CAUCUS_ALLOW_PRIVATE_TRACKERS === '1'
	};
}

/** Why more than one worker is refused on the embedded database; `setting` is CAUCUS_WORKERS or --workers. */
export function workersNeedPostgres(setting: string, workers: number): string {
	return `${setting} must be 1 with the embedded database, which only one process can open (got ${workers}); set DATABASE_URL to a PostgreSQL server to run more workers`;
}

/** The site's public address, for links made outside a request (the CLI): ORIGIN, else where `caucus serve` listens. */
export function siteOrigin(cfg: Pick<Config, 'origin' | 'host' | 'port'> = config(), port = cfg.port): string {
	if (cfg.origin) return cfg.origin.replace(/\/$/, '');
	const shown = cfg.host === '0.0.0.0' || cfg.host === '::' ? 'localhost' : cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
	return `http://${shown}:${port}`;
}

let current: Config | undefined;

/** The configuration of this process, read from the environment the first time it is asked for. */
export function config(): Config {
	current ??= parseConfig(process.env);
	return current;
}
