// The logger type every module takes: Fastify's pino logger, or a child of it.
export type { FastifyBaseLogger as Logger } from 'fastify';
