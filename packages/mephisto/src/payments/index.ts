export * from './money.js';
export * from './run-budget.js';
export * from './run-charges.js';
export * from './platform-payments.js';
