/** Fieller's lift interval may be unbounded (design.md §5): null ends read ±∞ and the bar runs to the edge. */
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { LiftBar, liftDomain } from './lift-bar.js';
import { interval } from '../components/format.js';

describe('lift intervals with unbounded ends', () => {
  it('format as −∞ / +∞', () => {
    expect(interval([0.009, 0.324])).toBe('[+0.9%, +32.4%]');
    expect(interval([null, 0.25])).toBe('[−∞, +25.0%]');
    expect(interval([-0.5, null])).toBe('[−50.0%, +∞]');
    expect(interval([null, null])).toBe('[−∞, +∞]');
    expect(interval(null)).toBe('—');
  });

  it('do not widen the chart domain, and draw to its edge', () => {
    expect(liftDomain([[null, 0.2], [-0.1, null]])).toBeCloseTo(0.22, 12);
    render(<LiftBar estimate={0.1} ci={[-0.1, null]} domain={0.2} verdict="inconclusive" level="95%" />);
    const bar = screen.getByRole('img', { name: 'Lift +10.0%, 95% interval −10.0% to plus infinity' });
    const band = bar.querySelector('.lift-ci') as HTMLElement;
    expect(band.style.left).toBe('25%');
    expect(band.style.width).toBe('calc(75%)'); // jsdom folds calc(100% - 25%)
  });
});
