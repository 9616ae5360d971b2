import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. (2 is Algorithm.Argon2id, a const enum type stripping cannot read.)
const ARGON2 = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, ARGON2);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

/** A hash computed against nothing, so an unknown account costs as much time as a wrong password. */
let decoy: Promise<string> | undefined;
export async function spendPasswordTime(password: string): Promise<void> {
	decoy ??= hashPassword('caucus-decoy-password');
	await verifyPassword(await decoy, password);
}

/** A random secret for cookies and API tokens, URL-safe. */
export const newSecret = (prefix = '') => prefix + randomBytes(32).toString('base64url');

/** Secrets are stored as SHA-256: they are long and random, so a fast hash is enough and lookups stay indexed. */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function sameSecret(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}
