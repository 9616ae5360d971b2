import { z } from 'zod';
import { SEGMENTS } from './members.tables.ts';

const trimmed = (max: number, field: string) =>
	z.string({ error: `${field} is required.` }).trim().max(max, `${field} is at most ${max} characters.`);

export const email = z
	.string({ error: 'E-mail is required.' })
	.trim()
	.toLowerCase()
	.max(254, 'E-mail is at most 254 characters.')
	.pipe(z.email({ error: 'Enter an e-mail address like name@example.org.' }));

export const password = z
	.string({ error: 'Password is required.' })
	.min(10, 'Use at least 10 characters.')
	.max(200, 'Use at most 200 characters.');

export const handle = z
	.string({ error: 'Handle is required.' })
	.trim()
	.toLowerCase()
	.min(2, 'A handle has at least 2 characters.')
	.max(32, 'A handle has at most 32 characters.')
	.regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Use lower-case letters, digits and inner hyphens.');

export const displayName = trimmed(80, 'Name').min(1, 'Name is required.');

export const signUpInput = z.object({ email, password, handle, displayName });
export type SignUpInput = z.input<typeof signUpInput>;

export const signInInput = z.object({
	email,
	password: z.string({ error: 'Password is required.' }).min(1, 'Password is required.').max(200, 'Use at most 200 characters.')
});

export const changePasswordInput = z
	.object({
		currentPassword: z.string({ error: 'Current password is required.' }).max(200),
		newPassword: password
	})
	.refine((v) => v.currentPassword !== v.newPassword, { path: ['newPassword'], message: 'Choose a password you have not used here.' });

const optionalText = (max: number, field: string) =>
	trimmed(max, field)
		.optional()
		.nullable()
		.transform((v) => (v ? v : null));

export const segment = z.enum(SEGMENTS, { error: `A segment is one of ${SEGMENTS.join(', ')}.` });

export const profileInput = z.object({
	displayName,
	handle,
	organization: optionalText(120, 'Organization'),
	segments: z.array(segment).max(SEGMENTS.length).default([]).transform((s) => [...new Set(s)]),
	bio: trimmed(2000, 'About').default('')
});
export type ProfileInput = z.input<typeof profileInput>;

const count = (field: string) =>
	z.coerce
		.number({ error: `${field} is a whole number.` })
		.int(`${field} is a whole number.`)
		.min(0, `${field} cannot be negative.`)
		.max(10_000_000, `${field} is at most 10,000,000.`)
		.nullable()
		.optional()
		.transform((v) => v ?? null);

/** Lists arrive as arrays from the API and as comma-separated text from forms. */
const list = (field: string, maxItems: number) =>
	z
		.union([z.array(z.string()), z.string()])
		.default([])
		.transform((v) => (typeof v === 'string' ? v.split(',') : v).map((s) => s.trim()).filter(Boolean))
		.pipe(
			z
				.array(z.string().max(60, `Each of ${field} is at most 60 characters.`))
				.max(maxItems, `List at most ${maxItems} ${field}.`)
				.transform((items) => [...new Set(items)])
		);

export const deploymentInput = z.object({
	name: trimmed(100, 'Name').min(1, 'Name is required.'),
	nodes: count('Nodes'),
	instances: count('Instances'),
	releases: list('releases', 20),
	components: list('components', 60),
	region: optionalText(80, 'Region')
});
export type DeploymentInput = z.input<typeof deploymentInput>;

export const tokenInput = z.object({ name: trimmed(60, 'Name').min(1, 'Name is required.') });
