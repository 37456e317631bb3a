// @vitest-environment node
/**
 * The Webhooks page end to end in headless Chromium (Debian's chromium, playwright-core): the built
 * dashboard served by the real server in-process (in-memory PGlite, WEBHOOK_ALLOW_PRIVATE on), a real
 * receiver on 127.0.0.1. Through the UI: add a webhook, copy its secret (shown once), see an experiment
 * start delivered (signature checked at the receiver) in the recent deliveries, delete the webhook.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../server/src/http/logger.js';
import { verifySignature } from '../../server/src/webhooks/signature.js';
import { deliverDueWebhooks } from '../../server/src/webhooks/worker.js';
import { type DashboardUnderTest, artifacts, signIn, startDashboard } from './support.js';

let dut: DashboardUnderTest | undefined;
let browser: Browser | undefined;
let receiver: http.Server | undefined;
const received: { signature: string; body: string }[] = [];
let baseUrl = '';
let receiverUrl = '';
let adminKey = '';

beforeAll(async () => {
  dut = await startDashboard({ webhookAllowPrivate: true });
  ({ browser, baseUrl, adminKey } = dut);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ signature: String(req.headers['touchpoint-signature']), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/touchpoint`;
}, 120_000);

afterAll(async () => {
  await dut?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  expect(dut?.violations, 'API answers that do not match the OpenAPI document').toEqual([]);
});

async function api(method: string, route: string, body?: unknown) {
  const res = await fetch(`${baseUrl}${route}`, { method, headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  expect(res.status, `${method} ${route}`).toBeLessThan(300);
}

it('adds a webhook, shows its secret once, lists a signed delivery, deletes it', async () => {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await signIn(page, baseUrl, dut!.admin);
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
  await page.getByText('No webhooks yet.').waitFor();

  await page.getByLabel('Address', { exact: true }).fill(receiverUrl);
  await page.getByLabel(/Experiment paused/).uncheck();
  await page.getByRole('button', { name: 'Add webhook' }).click();
  const secret = (await page.getByLabel('Signing secret', { exact: true }).textContent())!.trim();
  expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
  await page.screenshot({ path: path.join(artifacts, 'webhooks-01-secret.png'), fullPage: true });
  await page.getByRole('button', { name: 'I have saved it' }).click();
  expect(await page.getByText(secret).count()).toBe(0);

  // An experiment starts (through the API); the worker sends the event.
  await api('POST', '/api/touchpoints', { key: 'cta', name: 'CTA', kind: 'cta', funnelStage: 'purchase' });
  await api('POST', '/api/metrics', { key: 'purchase', name: 'Purchase', type: 'conversion', eventName: 'purchase' });
  await api('POST', '/api/experiments', { key: 'hook-e2e', name: 'Hook e2e', touchpointKey: 'cta', primaryMetric: 'purchase', variants: [{ key: 'control', name: 'A', weight: 0.5, payload: {} }, { key: 'b', name: 'B', weight: 0.5, payload: {} }] });
  await api('POST', '/api/experiments/hook-e2e/start');
  expect(await deliverDueWebhooks({ db: dut!.handle.db, logger: createLogger('error'), now: () => new Date(), allowPrivate: true })).toBe(1);
  expect(received).toHaveLength(1);
  expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'experiment.started', data: { experiment: { key: 'hook-e2e' } } });
  expect(verifySignature(secret, received[0]!.signature, received[0]!.body)).toBe(true);

  await page.getByRole('button', { name: `Recent deliveries to ${receiverUrl}` }).click();
  const deliveries = page.getByRole('table', { name: 'Recent deliveries' });
  await deliveries.getByText('Delivered').waitFor();
  expect(await deliveries.getByText('HTTP 204').count()).toBe(1);
  await page.screenshot({ path: path.join(artifacts, 'webhooks-02-deliveries.png'), fullPage: true });

  await page.getByRole('button', { name: `Delete webhook ${receiverUrl}` }).click();
  await page.getByRole('dialog', { name: 'Delete this webhook?' }).getByRole('button', { name: 'Delete webhook' }).click();
  await page.getByText('No webhooks yet.').waitFor();
  expect(errors).toEqual([]);
  await page.close();
});
