import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/**
 * Test support: a TCP proxy on 127.0.0.1 (port chosen by the OS) in front of a real server, so a
 * test can cut the network between the app and PostgreSQL without stopping PostgreSQL itself
 * (other suites share it). `cut()` destroys every open connection and refuses new ones;
 * `blackHole()` is the silent partition: connections stay open and new ones are accepted, but not a
 * byte goes through in either direction (no reset, no answer: only a deadline notices). `restore()`
 * lets connections through again; the connections that were black-holed are closed then, as TCP
 * would once its retransmissions ran out, and new ones are forwarded.
 */
export interface TcpProxy {
  port: number;
  readonly isDown: boolean;
  readonly isBlackHoled: boolean;
  /** Connections accepted (and forwarded) so far. */
  readonly forwarded: number;
  cut(): void;
  blackHole(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let silent = false;
  /** Client sockets accepted or frozen while black-holed: closed on restore(). */
  const swallowed = new Set<Socket>();
  /** Forwarded client sockets. */
  const pairs = new Set<Socket>();
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
    if (silent) {
      // Accepted, read and dropped: the client's bytes go nowhere and nothing ever comes back.
      swallowed.add(client);
      client.on('data', () => {});
      return;
    }
    forwarded++;
    const upstream = connect(target.port, target.host);
    track(upstream);
    // Piped by hand so that black-holing can drop bytes in flight on already open connections.
    client.on('data', (chunk) => silent || upstream.write(chunk));
    upstream.on('data', (chunk) => silent || client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    pairs.add(client);
    client.on('close', () => pairs.delete(client));
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
    get isBlackHoled() {
      return silent;
    },
    get forwarded() {
      return forwarded;
    },
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    blackHole() {
      silent = true;
      for (const client of pairs) swallowed.add(client);
    },
    restore() {
      down = false;
      silent = false;
      for (const socket of swallowed) socket.destroy();
      swallowed.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
