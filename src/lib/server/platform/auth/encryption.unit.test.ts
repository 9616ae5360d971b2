import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, NoSiteKeyError, parseSiteKey, siteKey, useSiteKey } from './encryption.ts';

afterEach(() => useSiteKey(null));

describe('secrets encrypted at rest', () => {
	it('round-trips, with a fresh IV each time, and never contains the plain text', () => {
		const key = randomBytes(32);
		const a = encryptSecret('ghp_supersecret', key);
		const b = encryptSecret('ghp_supersecret', key);
		expect(a).not.toBe(b);
		expect(a).not.toContain('supersecret');
		expect(decryptSecret(a, key)).toBe('ghp_supersecret');
	});

	it('refuses a value tampered with or read under another key', () => {
		const key = randomBytes(32);
		const stored = encryptSecret('token', key);
		expect(() => decryptSecret(stored, randomBytes(32))).toThrow();
		const parts = stored.split(':');
		parts[3] = Buffer.from('tokem').toString('base64url');
		expect(() => decryptSecret(parts.join(':'), key)).toThrow();
	});

	it('generates a key once into the embedded database’s folder, readable only by its owner, and reuses it', () => {
		const dir = mkdtempSync(join(tmpdir(), 'caucus-key-'));
		try {
			const cfg = { secretKey: undefined, database: { kind: 'pglite' as const, dataDir: dir } };
			const first = siteKey(cfg);
			useSiteKey(null);
			expect(siteKey(cfg).equals(first)).toBe(true);
			const file = join(dir, 'secret.key');
			expect(statSync(file).mode & 0o777).toBe(0o600);
			expect(parseSiteKey(readFileSync(file, 'utf8')).equals(first)).toBe(true);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('with a PostgreSQL server and no CAUCUS_SECRET_KEY, refuses with a message naming the setting', () => {
		expect(() => siteKey({ secretKey: undefined, database: { kind: 'postgres', url: 'postgres://x' } })).toThrow(NoSiteKeyError);
		expect(() => siteKey({ secretKey: undefined, database: { kind: 'postgres', url: 'postgres://x' } })).toThrow(/CAUCUS_SECRET_KEY/);
		const hex = randomBytes(32).toString('hex');
		expect(siteKey({ secretKey: hex, database: { kind: 'postgres', url: 'postgres://x' } }).toString('hex')).toBe(hex);
	});
});
