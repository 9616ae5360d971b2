export * from './jobs.tables.ts';
export * from './jobs.ts';
