import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from './address-guard.js';
import { RETRY_WINDOW_MS, nextAttemptAt } from './backoff.js';
import { renderBody } from './render.js';
import { NOTHING_NOTIFIED, type TransitionInput, resultTransitions } from './result-transitions.js';
import { signatureHeader, verifySignature } from './signature.js';

describe('signature', () => {
  it('is HMAC-SHA256 of "<t>.<body>" in hex, as an independent computation gives', () => {
    const body = '{"id":"evt_1"}';
    // Independent: the digest computed directly, and the RFC 4231 test case 2 key/data for HMAC-SHA256.
    const expected = createHmac('sha256', 'whsec_x').update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader('whsec_x', 1700000000, body)).toBe(`t=1700000000,v1=${expected}`);
    // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?" → 5bdcc146…3843.
    expect(createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(verifySignature('whsec_x', signatureHeader('whsec_x', 5, body), body)).toBe(true);
    expect(verifySignature('whsec_x', signatureHeader('whsec_x', 5, body), `${body} `)).toBe(false);
    expect(verifySignature('whsec_y', signatureHeader('whsec_x', 5, body), body)).toBe(false);
    expect(verifySignature('whsec_x', 'garbage', body)).toBe(false);
  });
});

describe('isPrivateAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '169.254.169.254', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '224.0.0.1'])('refuses %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });
  it.each(['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111', '100.128.0.1', '::ffff:8.8.8.8'])('allows %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});

describe('backoff', () => {
  it('doubles from 30 s to an hour and gives up after 24 h', () => {
    const created = new Date('2026-12-01T00:00:00Z');
    const delays = [1, 2, 3, 8, 9, 20].map((n) => nextAttemptAt(n, created, created)!.getTime() - created.getTime());
    expect(delays).toEqual([30_000, 60_000, 120_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(nextAttemptAt(5, created, new Date(created.getTime() + RETRY_WINDOW_MS - 1000))).toBeNull();
    // Walking the schedule: about 30 attempts fit in the 24 h.
    let at = created;
    let attempts = 0;
    for (let next: Date | null = created; next; next = nextAttemptAt(++attempts, created, at)) at = next;
    expect(attempts).toBeGreaterThan(25);
    expect(attempts).toBeLessThan(35);
  });
});

describe('renderBody', () => {
  const event = { id: 'evt_1', type: 'experiment.stopped' as const, createdAt: '2026-12-01T00:00:00.000Z', data: { experiment: { key: 'k', name: 'N', status: 'stopped' }, winner: 'b' } };
  it('json is the event; slack is { text, blocks }', () => {
    expect(JSON.parse(renderBody('json', event))).toEqual(event);
    const slack = JSON.parse(renderBody('slack', event));
    expect(slack.text).toBe('Experiment "N" (k) stopped with winner "b".');
    expect(slack.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: slack.text } });
  });
});

describe('resultTransitions', () => {
  const doc = (mismatch: boolean, harmed: boolean, decision?: string): TransitionInput => ({
    srm: { mismatch, pValue: mismatch ? 1e-6 : 0.5, chiSquare: 1 },
    metrics: [{ key: 'refunds', role: 'guardrail', variants: [{ key: 'control' }, { key: 'b', comparison: { guardrail: { status: harmed ? 'harmed' : 'inconclusive', margin: 0.02, pValue: 0.01 } } }] }],
    ...(decision && { decision: { status: decision, recommendedVariant: null, reasons: [] } }),
  });
  it('fires once per transition and again after a state went away and came back', () => {
    let state = NOTHING_NOTIFIED;
    const types: string[][] = [];
    for (const d of [doc(false, false), doc(true, false), doc(true, false), doc(true, true), doc(true, true), doc(false, false), doc(true, true)]) {
      const step = resultTransitions(state, d);
      types.push(step.events.map((e) => e.type));
      state = step.next;
    }
    expect(types).toEqual([[], ['experiment.srm_detected'], [], ['experiment.guardrail_harmed'], [], [], ['experiment.srm_detected', 'experiment.guardrail_harmed']]);
  });
  it('decision: nothing without one, nothing for the first collecting, then each change', () => {
    let state = NOTHING_NOTIFIED;
    const seen: unknown[] = [];
    for (const d of [doc(false, false), doc(false, false, 'collecting'), doc(false, false, 'collecting'), doc(false, false, 'ship'), doc(false, false)]) {
      const step = resultTransitions(state, d);
      seen.push(step.events.map((e) => [e.type, e.data.status, e.data.previousStatus]));
      state = step.next;
    }
    expect(seen).toEqual([[], [], [], [['experiment.decision_changed', 'ship', 'collecting']], []]);
  });
});
