export type { ManagedService } from './managed-service.js';
export type { RedisService } from './redis-service.js';
export type { FailoverReport, RedisHa, RedisHaOptions } from './redis-ha.js';
export type { NatsOptions, NatsService } from './nats-service.js';
export type { NatsCluster, NatsClusterNode, NatsClusterOptions } from './nats-cluster.js';
export type { NodeServiceOptions } from './node-service.js';
export type { CaddyOptions } from './caddy-service.js';
export type { WaitOptions } from './wait-until.js';
export type { Closable } from './close-all.js';
export { startRedis } from './redis-service.js';
export { startRedisHa } from './redis-ha.js';
export { startNats } from './nats-service.js';
export { startNatsCluster } from './nats-cluster.js';
export { startNodeService } from './node-service.js';
export { startCaddy } from './caddy-service.js';
export { closeAll } from './close-all.js';
export { freePort } from './free-port.js';
export { waitForPort } from './wait-for-port.js';
export { waitUntil } from './wait-until.js';
export {
  ServiceBinaryNotFoundError,
  ServiceStartError,
  StartScriptError,
  WaitTimeoutError,
} from './errors.js';
export { readStartScript } from './start-script.js';
export type { StartScript } from './start-script.js';
