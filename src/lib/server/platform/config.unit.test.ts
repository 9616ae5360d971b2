import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('configuration', () => {
	it('needs nothing to start on the embedded database', () => {
		const cfg = parseConfig({});
		expect(cfg).toMatchObject({ port: 3000, host: '127.0.0.1', database: { kind: 'pglite' }, oidc: null, secureCookies: false });
	});

	it('uses a PostgreSQL server when DATABASE_URL is set, and secure cookies behind https', () => {
		const cfg = parseConfig({ DATABASE_URL: 'postgres://u@db/caucus', ORIGIN: 'https://caucus.example.org' });
		expect(cfg.database).toEqual({ kind: 'postgres', url: 'postgres://u@db/caucus' });
		expect(cfg.secureCookies).toBe(true);
	});

	it('names each wrong setting and how to fix it', () => {
		const error = (() => {
			try {
				parseConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', CAUCUS_LOG_LEVEL: 'loud' });
			} catch (e) {
				return e as ConfigError;
			}
		})();
		expect(error).toBeInstanceOf(ConfigError);
		expect(error!.problems.join('\n')).toMatch(/PORT must be a port number/);
		expect(error!.problems.join('\n')).toMatch(/DATABASE_URL must start with postgres:\/\//);
		expect(error!.problems.join('\n')).toMatch(/CAUCUS_LOG_LEVEL/);
	});

	it('refuses half an OpenID Connect configuration', () => {
		expect(() => parseConfig({ CAUCUS_OIDC_ISSUER: 'https://id.example.org' })).toThrow(/go together/);
	});

	it('throttles sign-ups per address and keeps /metrics to loopback unless a token is set', () => {
		expect(parseConfig({})).toMatchObject({ signUp: { maxPerAddress: 5, windowMinutes: 60 }, metricsToken: undefined });
		const cfg = parseConfig({ CAUCUS_SIGNUP_MAX_PER_ADDRESS: '20', CAUCUS_SIGNUP_WINDOW_MINUTES: '1440', CAUCUS_METRICS_TOKEN: 'a'.repeat(32) });
		expect(cfg).toMatchObject({ signUp: { maxPerAddress: 20, windowMinutes: 1440 }, metricsToken: 'a'.repeat(32) });
		expect(() => parseConfig({ CAUCUS_SIGNUP_MAX_PER_ADDRESS: '0' })).toThrow(/CAUCUS_SIGNUP_MAX_PER_ADDRESS/);
		expect(() => parseConfig({ CAUCUS_SIGNUP_WINDOW_MINUTES: 'hour' })).toThrow(/CAUCUS_SIGNUP_WINDOW_MINUTES/);
		expect(() => parseConfig({ CAUCUS_METRICS_TOKEN: 'short' })).toThrow(/CAUCUS_METRICS_TOKEN must be at least 16 characters/);
		expect(() => parseConfig({ CAUCUS_METRICS_TOKEN: 'has a space in it, sadly' })).toThrow(/CAUCUS_METRICS_TOKEN must be printable ASCII/);
	});
});
