export interface JobsTables {}
