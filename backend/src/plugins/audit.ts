// Owns the audit trail of operator actions: JetStream stream AUDIT over the bus's NATS
// connection in distributed mode, a bounded list in memory in embedded mode.
import fp from 'fastify-plugin';
import type { AuditLog } from '../audit/audit-log.js';
import { MemoryAuditLog } from '../audit/audit-log.js';
import { JetStreamAuditLog } from '../audit/jetstream-audit-log.js';
import { NatsBus } from '../bus/nats-bus.js';
import type { Config } from '../config.js';

/** Entries an embedded backend keeps (the newest). */
const MEMORY_AUDIT_ENTRIES = 10_000;

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditLog;
  }
}

export default fp<{ config: Config }>(
  (app, { config }, done) => {
    const log: AuditLog =
      app.bus instanceof NatsBus
        ? new JetStreamAuditLog(app.bus.connection, config.audit, app.log.child({ part: 'audit' }))
        : new MemoryAuditLog(MEMORY_AUDIT_ENTRIES);
    app.decorate('audit', log);
    done();
  },
  { name: 'audit', dependencies: ['bus'] },
);
