export type { ManagedService } from './managed-service.js';
export type { RedisService } from './redis-service.js';
export type { NatsOptions, NatsService } from './nats-service.js';
export { startRedis } from './redis-service.js';
export { startNats } from './nats-service.js';
export { freePort } from './free-port.js';
export { waitForPort } from './wait-for-port.js';
export { ServiceBinaryNotFoundError, ServiceStartError } from './errors.js';
