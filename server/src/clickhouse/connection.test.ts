import { describe, expect, it } from 'vitest';
import { chSql, literal, raw } from './connection.js';

describe('ClickHouse literals (values bound by the client library, never concatenated)', () => {
  it('escapes quotes, backslashes and control characters in strings, renders lists as IN tuples', () => {
    expect(literal("o'neil\\'); DROP TABLE tp_events; --")).toBe("'o\\'neil\\\\\\'); DROP TABLE tp_events; --'");
    expect(literal('a\nb\tc')).toBe("'a\\nb\\tc'");
    expect(literal(42)).toBe('42');
    expect(literal(['a', "b'"])).toBe("('a','b\\'')");
    expect(chSql`SELECT 1 FROM ${raw('tp_events')} WHERE unit_id = ${"x'"} AND occurred_ms < ${5}`).toBe("SELECT 1 FROM tp_events WHERE unit_id = 'x\\'' AND occurred_ms < 5");
  });

  it('refuses what is not a finite number or a string', () => {
    expect(() => literal(Number.NaN)).toThrow(/finite/);
    expect(() => literal(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => literal([])).toThrow(/empty/);
    expect(() => literal({} as unknown as string)).toThrow(/not a SQL value/);
    expect(() => literal([1, Number.NaN])).toThrow(/finite/);
  });
});
