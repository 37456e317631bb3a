import { createConnection, createServer } from 'node:net';
import { expect, it } from 'vitest';
import { startTcpProxy } from './tcp-proxy.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('test support: the TCP proxy forwards, cuts every connection, refuses new ones while down, and recovers', async () => {
  const echo = createServer((s) => s.pipe(s));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: (echo.address() as { port: number }).port });
  const roundTrip = () =>
    new Promise<string>((resolve) => {
      const socket = createConnection(proxy.port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString();
        socket.end();
      });
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
      socket.write('ping');
    });
  expect(await roundTrip()).toBe('ping');
  const open = createConnection(proxy.port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => open.on('close', () => resolve()));
  open.on('error', () => {});
  await new Promise((resolve) => open.on('connect', resolve));
  await sleep(20);
  proxy.cut();
  await closed;
  expect(await roundTrip()).toBe('');
  proxy.restore();
  expect(await roundTrip()).toBe('ping');
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

it('test support: black-holed, the proxy accepts and keeps connections but answers nothing; restore() closes them and forwards again', async () => {
  const echo = createServer((s) => s.pipe(s));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: (echo.address() as { port: number }).port });
  const open = (): Promise<{ socket: ReturnType<typeof createConnection>; received: () => string; closed: Promise<void> }> =>
    new Promise((resolve) => {
      const socket = createConnection(proxy.port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('error', () => {});
      const closed = new Promise<void>((r) => socket.on('close', () => r()));
      socket.on('connect', () => resolve({ socket, received: () => data, closed }));
    });
  const before = await open();
  before.socket.write('a');
  while (before.received() !== 'a') await sleep(5);
  proxy.blackHole();
  expect(proxy.isBlackHoled).toBe(true);
  const during = await open(); // accepted: no refusal, no reset
  before.socket.write('b');
  during.socket.write('c');
  await sleep(200);
  expect(before.received()).toBe('a');
  expect(during.received()).toBe('');
  expect(before.socket.destroyed || during.socket.destroyed).toBe(false);
  proxy.restore();
  await Promise.all([before.closed, during.closed]);
  const after = await open();
  after.socket.write('d');
  while (after.received() !== 'd') await sleep(5);
  after.socket.destroy();
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});
