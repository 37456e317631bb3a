// @vitest-environment node
/**
 * The dashboard's API types are written by hand (no server code goes into the browser bundle); the
 * list of webhook events it offers must still be the server's, in the same order.
 */
import { expect, it } from 'vitest';
import { WEBHOOK_EVENTS as SERVER_EVENTS } from '../../../server/src/webhooks/events.js';
import { WEBHOOK_EVENTS } from './types.js';

it('offers exactly the webhook events the server accepts', () => {
  expect([...WEBHOOK_EVENTS]).toEqual([...SERVER_EVENTS]);
});
