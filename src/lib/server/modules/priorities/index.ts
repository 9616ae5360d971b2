export * from './priorities.tables.ts';
