/**
 * The one test-support folder of the hub (used by the hub's, the console's and the renderer's tests and by the
 * benchmarks): a hub on a free port ({@link startTestHub}), the recording logger, the wait helper, and the
 * Redis, child-process hub, TCP proxy and resending booth fixtures of the scale-out, fault and soak checks.
 */
export * from './hub';
export * from './logger';
export * from './wait';
export * from './redis';
