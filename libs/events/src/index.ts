export * from './security-event.js';
export * from './adapters/bpf-sensor.js';
