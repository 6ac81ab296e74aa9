export * from './money.js';
export * from './run-budget.js';
export * from './run-charges.js';
