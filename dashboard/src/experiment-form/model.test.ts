import { describe, expect, it } from 'vitest';
import { experiment, running } from '../test/fixtures.js';
import { draftFromExperiment, emptyDraft, evenSplit, lockReason, newVariant, rebalance, slugError, sumsTo100, toCreateBody, toPatch, validate } from './model.js';

describe('weights', () => {
  it('splits evenly into hundredths that add up to exactly 100 %', () => {
    for (let n = 2; n <= 20; n++) {
      const parts = evenSplit(n).map(Number);
      expect(Math.round(parts.reduce((a, b) => a + b, 0) * 100)).toBe(10_000);
    }
    expect(evenSplit(3)).toEqual(['33.34', '33.33', '33.33']);
  });

  it('refuses weights that do not add up to 100 %, and says what they add up to', () => {
    const draft = { ...emptyDraft('checkout-cta'), key: 'x', name: 'X' };
    draft.variants = draft.variants.map((v, i) => ({ ...v, weight: i === 0 ? '50' : '40' }));
    expect(validate(draft, { mode: 'create' }).variants).toEqual(['Weights must add up to 100 %; they add up to 90 %.']);
    expect(validate({ ...draft, variants: rebalance(draft.variants) }, { mode: 'create' }).variants).toBeUndefined();
  });

  it('accepts weights loaded from the server as thirds and sends them back unchanged', () => {
    const thirds = experiment({
      variants: [0, 1, 2].map((i) => ({ key: `v${i}`, name: `V${i}`, weight: 1 / 3, payload: null })),
    });
    const draft = draftFromExperiment(thirds);
    expect(draft.variants.map((v) => v.weight)).toEqual(['33.3333', '33.3333', '33.3333']);
    expect(sumsTo100(draft.variants)).toBe(true);
    expect(toCreateBody(draft).variants.map((v) => v.weight)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(toPatch(draft, thirds)).toEqual({});
  });

  it('needs a control weight above 0 and a percentage in [0, 100]', () => {
    const draft = { ...emptyDraft('tp'), key: 'x', name: 'X' };
    draft.variants = [
      { ...newVariant(0), weight: '0' },
      { ...newVariant(1), weight: '101' },
    ];
    const errors = validate(draft, { mode: 'create' });
    expect(errors['variants.0.weight']).toEqual(['The control needs a weight above 0.']);
    expect(errors['variants.1.weight']).toEqual(['A percentage between 0 and 100.']);
  });
});

describe('field rules', () => {
  it('checks slugs the way the server does', () => {
    expect(slugError('checkout-cta-copy')).toBeNull();
    expect(slugError('')).toBe('Required.');
    expect(slugError('Checkout CTA')).toMatch(/lower-case/);
    expect(slugError('double--hyphen')).toMatch(/lower-case/);
    expect(slugError('a'.repeat(65))).toBe('At most 64 characters.');
  });

  it('checks JSON payloads and duplicate variant keys', () => {
    const draft = { ...emptyDraft('tp'), key: 'x', name: 'X' };
    draft.variants = [
      { ...draft.variants[0]!, payload: '{ "label": ' },
      { ...draft.variants[1]!, key: 'control', payload: '"just a string"' },
    ];
    const errors = validate(draft, { mode: 'create' });
    expect(errors['variants.0.payload']?.[0]).toMatch(/^Not valid JSON/);
    expect(errors['variants.1.payload']).toBeUndefined();
    expect(errors['variants.1.key']).toEqual(['Same key as variant 1.']);
  });

  it('builds the create body with fractions, payloads and targeting', () => {
    const draft = { ...emptyDraft('checkout-cta'), key: 'cta', name: ' CTA ', coverage: '50', primaryMetric: 'purchase', mde: '5' };
    draft.variants = [
      { ...draft.variants[0]!, payload: '{"label":"Buy"}' },
      { ...draft.variants[1]!, payload: '' },
    ];
    draft.targeting = { ...draft.targeting, rows: [{ id: 'r', attribute: 'country', op: 'in', value: 'FR, BE' }] };
    expect(toCreateBody(draft)).toMatchObject({
      key: 'cta',
      name: 'CTA',
      coverage: 0.5,
      variants: [
        { key: 'control', weight: 0.5, payload: { label: 'Buy' } },
        { key: 'variant-a', weight: 0.5 },
      ],
      targeting: { all: [{ attribute: 'country', op: 'in', value: ['FR', 'BE'] }] },
      primaryMetric: 'purchase',
      minimumDetectableEffect: 0.05,
      namespace: null,
    });
    expect(toCreateBody(draft).variants[1]).not.toHaveProperty('payload');
  });
});

describe('live experiments', () => {
  it('locks structure while running, and weights until a new phase is chosen', () => {
    expect(lockReason('key', 'edit', 'draft', false)).toMatch(/permanent/);
    expect(lockReason('variantSet', 'edit', 'draft', false)).toBeNull();
    expect(lockReason('touchpointKey', 'edit', 'running', false)).toMatch(/cannot change/);
    expect(lockReason('namespace', 'edit', 'paused', true)).toMatch(/cannot change/);
    expect(lockReason('allocation', 'edit', 'running', false)).toMatch(/new phase/);
    expect(lockReason('allocation', 'edit', 'running', true)).toBeNull();
    expect(lockReason('metrics', 'edit', 'running', false)).toBeNull();
    expect(lockReason('metrics', 'edit', 'stopped', false)).toMatch(/read-only/);
    expect(lockReason('key', 'create', 'draft', false)).toBeNull();
  });

  it('refuses lowering coverage without a new phase; raising is fine', () => {
    const original = running({ coverage: 0.5 });
    const draft = draftFromExperiment(original);
    expect(validate({ ...draft, coverage: '40' }, { mode: 'edit', original }).coverage?.[0]).toMatch(/new phase/);
    expect(validate({ ...draft, coverage: '40', newPhase: true }, { mode: 'edit', original }).coverage).toBeUndefined();
    expect(validate({ ...draft, coverage: '80' }, { mode: 'edit', original }).coverage).toBeUndefined();
  });

  it('patches only what changed, with newPhase when the allocation changes', () => {
    const original = running();
    const draft = draftFromExperiment(original);
    expect(toPatch({ ...draft, name: 'Renamed' }, original)).toEqual({ name: 'Renamed' });
    const reweighted = { ...draft, newPhase: true, variants: draft.variants.map((v, i) => ({ ...v, weight: i === 0 ? '60' : '40' })) };
    expect(toPatch(reweighted, original)).toEqual({
      variants: [
        { key: 'control', name: 'Buy now', weight: 0.6, payload: { label: 'Buy now' } },
        { key: 'urgent', name: 'Ships today', weight: 0.4, payload: { label: 'Buy now, ships today' } },
      ],
      newPhase: true,
    });
    expect(toPatch({ ...draft, newPhase: true, hypothesis: '' }, original)).toEqual({ hypothesis: null });
  });
});

describe('sequential testing in the form model', () => {
  const named = () => ({ ...emptyDraft('checkout-cta'), key: 'x', name: 'X' });

  it('a new experiment: on, N* = the planned total sample when an effect is set, else 5,000; off = null', () => {
    expect(toCreateBody(named()).sequential).toEqual({ tuningParameter: 5000 });
    expect(toCreateBody({ ...named(), plannedTotal: 31_234 }).sequential).toEqual({ tuningParameter: 31_234 });
    expect(toCreateBody({ ...named(), plannedTotal: 31_234, mde: '' }).sequential).toEqual({ tuningParameter: 5000 });
    expect(toCreateBody({ ...named(), plannedTotal: 12 }).sequential).toEqual({ tuningParameter: 100 });
    expect(toCreateBody({ ...named(), sequential: false }).sequential).toBeNull();
  });

  it('an existing experiment keeps its setting and N*; only a change of the choice is patched', () => {
    const fixed = experiment({ sequential: null });
    expect(draftFromExperiment(fixed).sequential).toBe(false);
    expect(toPatch(draftFromExperiment(fixed), fixed)).toEqual({});
    const tuned = experiment({ sequential: { tuningParameter: 20_000 } });
    const draft = { ...draftFromExperiment(tuned), plannedTotal: 99_999 };
    expect(toPatch(draft, tuned)).toEqual({});
    expect(toPatch({ ...draft, sequential: false }, tuned)).toEqual({ sequential: null });
    expect(toPatch({ ...draftFromExperiment(fixed), sequential: true }, fixed)).toEqual({ sequential: { tuningParameter: 5000 } });
  });
});

describe('minimumDays in the form model', () => {
  it('a new experiment sends 7 (a full week) unless changed; whole days 0–365 only', () => {
    const draft = { ...emptyDraft('checkout-cta'), key: 'cta', name: 'CTA', primaryMetric: 'purchase' };
    expect(toCreateBody(draft).minimumDays).toBe(7);
    expect(toCreateBody({ ...draft, minimumDays: '0' }).minimumDays).toBe(0);
    for (const bad of ['', '-1', '1.5', '366', 'seven']) expect(validate({ ...draft, minimumDays: bad }, { mode: 'create' }).minimumDays, bad).toHaveLength(1);
    expect(validate({ ...draft, minimumDays: '14' }, { mode: 'create' }).minimumDays).toBeUndefined();
  });

  it('an existing experiment shows its own and patches only a change, also while running', () => {
    const live = running({ minimumDays: 10 });
    const draft = draftFromExperiment(live);
    expect(draft.minimumDays).toBe('10');
    expect(toPatch(draft, live)).toEqual({});
    expect(toPatch({ ...draft, minimumDays: '3' }, live)).toEqual({ minimumDays: 3 });
  });
});
