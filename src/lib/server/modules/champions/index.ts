export * from './champions.tables.ts';
