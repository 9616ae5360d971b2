import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

const POSTGRES = 'postgres://u@db/caucus';

describe('CAUCUS_WORKERS', () => {
	it('is 1 on the embedded database and one per CPU, at most 8, on PostgreSQL', () => {
		expect(parseConfig({}).workers).toBe(1);
		expect(parseConfig({ DATABASE_URL: POSTGRES }).workers).toBe(Math.min(availableParallelism(), 8));
	});

	it('takes any whole number from 1 to 64 on PostgreSQL, and 1 on the embedded database', () => {
		expect(parseConfig({ DATABASE_URL: POSTGRES, CAUCUS_WORKERS: '12' }).workers).toBe(12);
		expect(parseConfig({ DATABASE_URL: POSTGRES, CAUCUS_WORKERS: '1' }).workers).toBe(1);
		expect(parseConfig({ CAUCUS_WORKERS: '1' }).workers).toBe(1);
	});

	it('names the setting when the value is not a number of processes', () => {
		for (const value of ['0', '-2', '1.5', 'many', '65']) {
			expect(() => parseConfig({ DATABASE_URL: POSTGRES, CAUCUS_WORKERS: value })).toThrow(ConfigError);
			expect(() => parseConfig({ DATABASE_URL: POSTGRES, CAUCUS_WORKERS: value })).toThrow(/CAUCUS_WORKERS must be/);
		}
	});

	it('refuses more than one worker on the embedded database, naming the setting', () => {
		expect(() => parseConfig({ CAUCUS_WORKERS: '2' })).toThrow(/CAUCUS_WORKERS must be 1 with the embedded database.*set DATABASE_URL/);
	});
});

describe('CAUCUS_DB_POOL', () => {
	it('is 10 for one process and shrinks with the workers, so they share about 40 connections', () => {
		expect(parseConfig({}).databasePool).toBe(10);
		expect(parseConfig({ DATABASE_URL: POSTGRES, CAUCUS_WORKERS: '1' }).databasePool).toBe(10);
		expect(parseConfig({ DATABASE_URL: POSTGRES, CAUCUS_WORKERS: '2' }).databasePool).toBe(10);
		expect(parseConfig({ DATABASE_URL: POSTGRES, CAUCUS_WORKERS: '8' }).databasePool).toBe(5);
		expect(parseConfig({ DATABASE_URL: POSTGRES, CAUCUS_WORKERS: '64' }).databasePool).toBe(3);
		expect(parseConfig({ DATABASE_URL: POSTGRES, CAUCUS_WORKERS: '8', CAUCUS_DB_POOL: '20' }).databasePool).toBe(20);
	});

	it('names the setting when the value is not a number of connections', () => {
		for (const value of ['0', '1.5', 'lots', '101']) {
			expect(() => parseConfig({ DATABASE_URL: POSTGRES, CAUCUS_DB_POOL: value })).toThrow(/CAUCUS_DB_POOL must be/);
		}
	});
});
