export * from './record.js';
export * from './subjects.js';
export * from './validation.js';
export * from './reducer.js';
export * from './scope.js';
export * from './event-id.js';
export * from './sse-events.js';
