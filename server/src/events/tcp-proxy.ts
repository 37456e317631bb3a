import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/**
 * Test support: a TCP proxy on 127.0.0.1 (port chosen by the OS) in front of a real server, so a
 * test can cut the network between the app and PostgreSQL without stopping PostgreSQL itself
 * (other suites share it). `cut()` destroys every open connection and refuses new ones; `restore()`
 * lets connections through again.
 */
export interface TcpProxy {
  port: number;
  readonly isDown: boolean;
  /** Connections accepted (and forwarded) so far. */
  readonly forwarded: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let forwarded = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (down) {
      client.destroy();
      return;
    }
    forwarded++;
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    get isDown() {
      return down;
    },
    get forwarded() {
      return forwarded;
    },
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
