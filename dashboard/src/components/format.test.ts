import { describe, expect, it } from 'vitest';
import { fieldLabel, humanizeFields } from './field-labels.js';
import { formatAmount, formatDate, formatDateTime, formatDay, formatInteger, formatPercent, interval, percentagePoints, probability, signedPercent } from './format.js';

describe('format: one module for every figure', () => {
  it('writes money in its currency with Intl, units after the number, plain numbers otherwise', () => {
    expect(formatAmount(12.4, { currency: 'EUR' })).toBe('€12.40');
    expect(formatAmount(1234.5, { currency: 'USD' })).toBe('$1,234.50');
    expect(formatAmount(1234.5, { currency: 'JPY' })).toBe('¥1,235'); // the currency's own decimals
    expect(formatAmount(0.0123, { currency: 'EUR' })).toBe('€0.012'); // small amounts keep two significant digits
    expect(formatAmount(-3.5, { currency: 'EUR' }, { signed: true })).toBe('−€3.50');
    expect(formatAmount(3.5, { currency: 'EUR' }, { signed: true })).toBe('+€3.50');
    expect(formatAmount(2.345, { unit: 'items' })).toBe('2.35 items');
    expect(formatAmount(1.5)).toBe('1.50');
    expect(formatAmount(null, { currency: 'EUR' })).toBe('—');
    expect(formatAmount(Number.NaN)).toBe('—');
  });

  it('never shows a posterior as certain, nor a loss as exactly zero', () => {
    expect(probability(0.99996)).toBe('> 99.9%');
    expect(probability(1)).toBe('> 99.9%');
    expect(probability(0.0000001)).toBe('< 0.1%');
    expect(probability(0.375)).toBe('37.5%');
    expect(percentagePoints(0)).toBe('< 0.001 pp');
    expect(percentagePoints(0.139)).toBe('13.900 pp');
    expect(percentagePoints(0.0123, 2, { signed: true })).toBe('+1.23 pp');
  });

  it('signs and percentages with the typographic minus, unbounded interval ends', () => {
    expect(signedPercent(0.1667)).toBe('+16.7%');
    expect(signedPercent(-0.021)).toBe('−2.1%');
    expect(signedPercent(-0.00001)).toBe('0.0%');
    expect(formatPercent(0.125, 1)).toBe('12.5%');
    expect(formatPercent(0.12, 1)).toBe('12%');
    expect(interval([null, 0.2])).toBe('[−∞, +20.0%]');
    expect(formatInteger(1200)).toBe('1,200');
  });

  it('has one date style', () => {
    expect(formatDay('2026-11-22')).toBe('Nov 22, 2026');
    expect(formatDate('2026-11-22T12:00:00Z')).toMatch(/^Nov 2[123], 2026$/);
    expect(formatDateTime('2026-11-22T12:00:00Z')).toMatch(/^Nov 2[123], 2026, \d{1,2}:\d{2} [AP]M$/);
    expect(formatDateTime('not a date')).toBe('not a date');
  });
});

describe('field labels: API names never shown raw', () => {
  it('labels paths, array items counted from one', () => {
    expect(fieldLabel('minimumDetectableEffect')).toBe('Minimum detectable effect');
    expect(fieldLabel('touchpointKey')).toBe('Touchpoint');
    expect(fieldLabel('variants.1.weight')).toBe('Variant 2 weight');
    expect(fieldLabel('secondaryMetrics.0')).toBe('Secondary metric 1');
    expect(fieldLabel('someNewField')).toBe('Some new field');
    expect(fieldLabel('')).toBe('Request');
  });

  it('rewrites the server’s messages: a leading field path and known names inside', () => {
    expect(humanizeFields('minimumDetectableEffect: must be between 0 and 1')).toBe('Minimum detectable effect: must be between 0 and 1');
    expect(humanizeFields('variants.1.weight: must be between 0 and 1 (and 2 more)')).toBe('Variant 2 weight: must be between 0 and 1 (and 2 more)');
    expect(humanizeFields('no variant is significantly better yet; set a minimumDetectableEffect to learn when')).toBe(
      'no variant is significantly better yet; set a minimum detectable effect to learn when',
    );
    // A quoted camelCase key is not a field name; an ordinary sentence keeps its words.
    expect(humanizeFields('No experiment "heroTest".')).toBe('No experiment "heroTest".');
    expect(humanizeFields('Note: the body is empty')).toBe('Note: the body is empty');
  });
});
