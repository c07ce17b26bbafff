// The benchmark's reference peer: the least a server can do for the same job — plain
// node:http, one NATS subscription, each message framed once and written to every client,
// coalesced once per event-loop tick. No state, no resume, no scope.
import { createServer, type ServerResponse } from 'node:http';
import { connect } from '@nats-io/transport-node';

const port = Number(process.env.PORT ?? 8090);
const nats = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
const clients = new Set<ServerResponse>();
const decoder = new TextDecoder();
let pending: string[] = [];
let seq = 0;

const flush = () => {
  const chunk = pending.join('');
  pending = [];
  for (const res of clients) res.write(chunk);
};

nats.subscribe('call.events.>', {
  callback: (err, msg) => {
    if (err !== null) return;
    const phase = msg.subject.slice('call.events.'.length);
    pending.push(`id: peer:${++seq}\nevent: call.${phase}\ndata: ${decoder.decode(msg.data)}\n\n`);
    if (pending.length === 1) setImmediate(flush);
  },
});

createServer((req, res) => {
  if (!req.url?.startsWith('/api/v1/live/calls')) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(`retry: 2000\n\nevent: connected\ndata: {}\n\n`);
  clients.add(res);
  res.on('close', () => clients.delete(res));
}).listen(port, '127.0.0.1');
