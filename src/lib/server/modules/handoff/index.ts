export * from './handoff.tables.ts';
