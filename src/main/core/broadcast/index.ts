export * from './broadcasts';
export * from './tally';
