import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { config, type Config } from '../config.ts';
import { AppError } from '../errors.ts';

/*
 * Secrets Caucus must be able to read back (tracker credentials, webhook secrets) are stored encrypted
 * with AES-256-GCM under one site key. The key comes from CAUCUS_SECRET_KEY. So that the two-command
 * setup needs no configuration, a site on the embedded database without that setting gets a key
 * generated once into its data folder (secret.key, mode 0600) and reused on every start. A site on a
 * PostgreSQL server has no data folder of its own, and a key generated on one instance would not be known
 * by the others: there, saving a credential without CAUCUS_SECRET_KEY is refused with a message that says
 * how to set it (the site still starts; only trackers with credentials wait for the key).
 *
 * Stored form: `v1:<iv>:<tag>:<ciphertext>`, base64url parts; a 12-byte random IV per value.
 */

const VERSION = 'v1';
const KEY_FILE = 'secret.key';

let override: Buffer | null = null;
let cached: { source: string; key: Buffer } | null = null;

/** Tests (and the benchmark) set the key directly instead of through the environment. */
export function useSiteKey(key: Buffer | null): void {
	if (key && key.length !== 32) throw new Error('The site key must be 32 bytes.');
	override = key;
	cached = null;
}

export function parseSiteKey(text: string): Buffer {
	const trimmed = text.trim();
	const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
	if (key.length !== 32) throw new Error('The site key must be 32 bytes, written as 64 hex digits or in base64.');
	return key;
}

export class NoSiteKeyError extends AppError {
	constructor() {
		super(
			'conflict',
			'Caucus has no site key to encrypt credentials with. Set CAUCUS_SECRET_KEY to 32 random bytes (for example the output of `openssl rand -hex 32`) on every instance, restart, and save again.',
			{ credentials: 'Set CAUCUS_SECRET_KEY first.' }
		);
	}
}

/** The site key; with the embedded database and no setting, generated once into the data folder. */
export function siteKey(cfg: Pick<Config, 'secretKey' | 'database'> = config()): Buffer {
	if (override) return override;
	if (cfg.secretKey) {
		if (cached?.source !== 'env') cached = { source: 'env', key: parseSiteKey(cfg.secretKey) };
		return cached.key;
	}
	if (cfg.database.kind !== 'pglite' || cfg.database.dataDir.startsWith('memory://')) throw new NoSiteKeyError();
	const file = join(cfg.database.dataDir, KEY_FILE);
	if (cached?.source === file) return cached.key;
	if (!existsSync(file)) {
		mkdirSync(cfg.database.dataDir, { recursive: true });
		try {
			// 'wx': two processes starting at once never overwrite each other's key.
			writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
		} catch (error) {
			if ((error as { code?: string }).code !== 'EEXIST') throw error;
		}
	}
	chmodSync(file, 0o600);
	cached = { source: file, key: parseSiteKey(readFileSync(file, 'utf8')) };
	return cached.key;
}

export function encryptSecret(plain: string, key: Buffer = siteKey()): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', key, iv);
	const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
	return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
}

/** Decrypts a stored secret; throws when it was tampered with or encrypted under another key. */
export function decryptSecret(stored: string, key: Buffer = siteKey()): string {
	const [version, iv, tag, data] = stored.split(':');
	if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('This is not an encrypted secret Caucus wrote.');
	const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
	decipher.setAuthTag(Buffer.from(tag, 'base64url'));
	return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

export const encryptJson = (value: unknown, key?: Buffer) => encryptSecret(JSON.stringify(value), key);
export const decryptJson = <T>(stored: string, key?: Buffer): T => JSON.parse(decryptSecret(stored, key)) as T;
