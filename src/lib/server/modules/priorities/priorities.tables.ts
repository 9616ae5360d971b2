export interface PrioritiesTables {}
