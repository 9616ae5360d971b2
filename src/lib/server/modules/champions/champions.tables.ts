export interface ChampionsTables {}
