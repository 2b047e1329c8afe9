/** Injection token of the validated `MetricsConfig`. */
export const METRICS_CONFIG = Symbol('METRICS_CONFIG');
