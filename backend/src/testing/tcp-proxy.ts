// A TCP proxy for tests: one address in front of a server, which the test can point
// elsewhere (a moved virtual IP) or cut off (a network partition of one client).
import { createServer, Socket, type Server } from 'node:net';

/** One address in front of a server that tests can move (a virtual IP) or cut off. */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  target: number;
  /** While true, new connections are refused at once (the server looks unreachable). */
  cut = false;

  private constructor(server: Server, target: number) {
    this.#server = server;
    this.target = target;
  }

  static async start(target: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (client) => {
      if (proxy.cut) {
        client.destroy();
        return;
      }
      const upstream = new Socket();
      proxy.#track(client);
      proxy.#track(upstream);
      upstream.connect(proxy.target, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }

  get url(): string {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return `redis://127.0.0.1:${address.port}`;
  }

  /** Points new connections at `port` and cuts the open ones, as a moved virtual IP does. */
  switchTo(port: number): void {
    this.target = port;
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Cuts every open connection and refuses new ones until `restore()`. */
  cutOff(): void {
    this.cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
