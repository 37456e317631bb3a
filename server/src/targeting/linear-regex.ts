import type { RegexMatcher } from '@touchpoint/client-sdk';
import { RE2JS } from 're2js';

/**
 * Targeting regexes evaluated on the server run on attributes that anyone holding a public SDK key
 * sends (`POST /sdk/assign`). The host's RegExp backtracks: `(a|a)*$` on 29 characters blocked the
 * whole server for 9.6 s (issue 13 #7). RE2 matches in time linear in the input whatever the
 * pattern, so the server evaluates every pattern with it (re2js, a pure-JavaScript port: no native
 * build). Its syntax is JavaScript's minus back-references and lookaround, which save-time
 * validation refuses (targetingRegexProblems), so a saved pattern means the same on both engines
 * up to the Unicode details listed in the README ("Targeting regexes").
 */

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, u: 0 };
/** Distinct patterns are few (one per targeting leaf of a running experiment); the bound is for safety. */
const MAX_CACHED = 500;
const compiled = new Map<string, RE2JS>();

/** Compiles a JavaScript-syntax pattern with RE2; throws on syntax RE2 does not have. */
export function compileLinear(pattern: string, flags: string): RE2JS {
  const cacheKey = `${flags}/${pattern}`;
  let re = compiled.get(cacheKey);
  if (!re) {
    let bits = 0;
    for (const flag of flags) {
      const bit = FLAG_BITS[flag];
      if (bit === undefined) throw new SyntaxError(`unsupported flag "${flag}"`);
      bits |= bit;
    }
    // translateRegExp rewrites JavaScript-only spellings (`\u00e9`, `(?<name>`) into RE2's.
    re = RE2JS.compile(RE2JS.translateRegExp(pattern), bits);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(cacheKey, re);
  }
  return re;
}

/** The server's engine for the targeting `regex` operator (client-sdk RegexMatcher). */
export const linearRegex: RegexMatcher = (pattern, flags, input) => compileLinear(pattern, flags).test(input);

/** Walks `depth`-bounded: the SDK validator has already refused deeper trees. */
const MAX_WALK_DEPTH = 40;

/**
 * Problems of the regex leaves of a targeting condition that the linear-time engine cannot run
 * (back-references, lookahead, lookbehind…), with the path of each, e.g.
 * `targeting.all[1].value: uses syntax the server's linear-time regex engine (RE2) refuses …`.
 */
export function targetingRegexProblems(condition: unknown, path = 'targeting'): string[] {
  const problems: string[] = [];
  const visit = (node: unknown, at: string, depth: number): void => {
    if (depth > MAX_WALK_DEPTH || typeof node !== 'object' || node === null || Array.isArray(node)) return;
    const n = node as Record<string, unknown>;
    for (const group of ['all', 'any'] as const) {
      const list = n[group];
      if (Array.isArray(list)) list.forEach((child, i) => visit(child, `${at}.${group}[${i}]`, depth + 1));
    }
    if ('not' in n) visit(n.not, `${at}.not`, depth + 1);
    if (n.op !== 'regex' || typeof n.value !== 'string') return;
    const flags = typeof n.flags === 'string' ? n.flags : '';
    try {
      compileLinear(n.value, flags);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
      problems.push(`${at}.value: uses syntax the server's linear-time regex engine (RE2) refuses (${reason}); back-references and lookahead/lookbehind are not supported`);
    }
  };
  visit(condition, path, 0);
  return problems;
}
