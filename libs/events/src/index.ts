export * from './security-event.js';
