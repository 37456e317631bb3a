import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { type Harness, createHarness, fixtures, seedCatalog } from '../test/harness.js';
import { changeProblems, htmlProblem, redirectProblem, sanitizeChangeHtml, selectorProblem } from './changes.js';

describe('variant changes, pure checks', () => {
  it('parses selectors and refuses what querySelectorAll cannot run or can never match', () => {
    for (const ok of ['#buy', '.hero > h1', 'button.cta[data-id="1"]', 'ul li:nth-child(2)', 'a, b', 'main :is(h1, h2)']) expect(selectorProblem(ok), ok).toBeNull();
    expect(selectorProblem('div[')).toMatch(/not a valid CSS selector/);
    expect(selectorProblem('.hero >')).toMatch(/combinator/);
    expect(selectorProblem('p::before')).toMatch(/pseudo-element/);
    expect(selectorProblem('  ')).toMatch(/empty/);
  });

  it('keeps harmless HTML (normalised) and refuses scripts, handlers, styles and javascript: URLs', () => {
    expect(htmlProblem('<b>Free</b> shipping <a href="/faq">today</a><br>')).toBeNull();
    expect(sanitizeChangeHtml('<b>Free</b><br>')).toBe('<b>Free</b><br />');
    for (const bad of ['<script>alert(1)</script>', '<img src=x onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>', '<a href=" java\tscript:x">x</a>', '<iframe src="/"></iframe>', '<p style="color:red">x</p>']) {
      expect(htmlProblem(bad), bad).not.toBeNull();
    }
  });

  it('checks each action for the fields it needs and for URLs and CSS that would run code', () => {
    expect(changeProblems({ selector: '#a', action: 'text', value: 'Buy now' })).toEqual([]);
    expect(changeProblems({ selector: '#a', action: 'hide' })).toEqual([]);
    expect(changeProblems({ selector: '#a', action: 'attribute', name: 'href', value: 'https://shop.example/sale' })).toEqual([]);
    expect(changeProblems({ selector: '#a', action: 'style', name: 'background-color', value: '#ff5a00' })).toEqual([]);
    expect(changeProblems({ selector: '#a', action: 'text' }).map((p) => p.field)).toEqual(['value']);
    expect(changeProblems({ selector: '#a', action: 'attribute', value: 'x' }).map((p) => p.field)).toEqual(['name']);
    expect(changeProblems({ selector: '#a', action: 'hide', value: 'x' }).map((p) => p.field)).toEqual(['value']);
    expect(changeProblems({ selector: '#a', action: 'attribute', name: 'onclick', value: 'x()' })[0]!.message).toMatch(/event handler/);
    expect(changeProblems({ selector: '#a', action: 'attribute', name: 'href', value: 'JavaScript:x()' })[0]!.field).toBe('value');
    expect(changeProblems({ selector: '#a', action: 'style', name: 'background', value: 'url(https://x/y.png)' })[0]!.field).toBe('value');
    expect(changeProblems({ selector: '#a', action: 'class-add', value: '' })[0]!.field).toBe('value');
  });

  it('takes redirects to http(s) URLs and same-site paths only', () => {
    expect(redirectProblem('/landing-b')).toBeNull();
    expect(redirectProblem('https://shop.example/b?x=1')).toBeNull();
    expect(redirectProblem('javascript:alert(1)')).not.toBeNull();
    expect(redirectProblem('//evil.example/')).not.toBeNull();
    expect(redirectProblem('data:text/html,x')).not.toBeNull();
  });
});

describeEachEngine('variant changes through the API', (db) => {
  let h: Harness;
  const withChanges = (key: string, urgent: Record<string, unknown>) =>
    fixtures.experiment(key, {
      variants: [
        { key: 'control', name: 'Buy now', weight: 0.5 },
        { key: 'urgent', name: 'Ships today', weight: 0.5, ...urgent },
      ],
    });

  it('stores changes (HTML sanitised) and a redirect, and serves them with the touchpoint URL pattern in /sdk/config', async () => {
    h = await createHarness(db().db);
    await seedCatalog(h);
    await h.call('PATCH', '/api/touchpoints/checkout-cta', { urlPattern: '/products/*', version: 1 });
    const changes = [
      { selector: '#buy', action: 'text', value: 'Buy now, ships today' },
      { selector: '.note', action: 'html', value: '<b>Free</b> returns<br>' },
      { selector: '#buy', action: 'class-add', value: 'cta-urgent' },
    ];
    const res = await h.call('POST', '/api/experiments', withChanges('cta-changes', { changes }));
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as { variants: Array<{ changes: unknown[]; redirect: string | null }> };
    expect(created.variants[0]).toMatchObject({ changes: [], redirect: null });
    expect(created.variants[1]!.changes[1]).toEqual({ selector: '.note', action: 'html', value: '<b>Free</b> returns<br />' });

    const redirect = await h.call('POST', '/api/experiments', withChanges('cta-redirect', { redirect: '/products/b' }));
    expect(redirect.status).toBe(201);
    await h.call('POST', '/api/experiments/cta-changes/start');
    await h.call('POST', '/api/experiments/cta-redirect/start');
    const config = (await (await h.call('GET', '/sdk/config', undefined, { key: h.sdkKey })).json()) as { experiments: Array<Record<string, unknown>> };
    const byKey = new Map(config.experiments.map((e) => [e.key, e]));
    expect(byKey.get('cta-changes')).toMatchObject({ urlPattern: '/products/*', variants: [{ key: 'control' }, { key: 'urgent', changes: [changes[0], { ...changes[1], value: '<b>Free</b> returns<br />' }, changes[2]] }] });
    expect((byKey.get('cta-changes')!.variants as object[])[0]).not.toHaveProperty('changes');
    expect(byKey.get('cta-redirect')).toMatchObject({ variants: [{ key: 'control' }, { key: 'urgent', redirect: '/products/b' }] });

    // A touchpoint edit reaches the served config (its URL pattern is part of it).
    await h.call('PATCH', '/api/touchpoints/checkout-cta', { urlPattern: '/p/*', version: 2 });
    const after = (await (await h.call('GET', '/sdk/config', undefined, { key: h.sdkKey })).json()) as { experiments: Array<{ urlPattern?: string }> };
    expect(after.experiments.map((e) => e.urlPattern)).toEqual(['/p/*', '/p/*']);
  });

  it('refuses a bad row with a 422 naming the variant, the row and the field, and writes nothing', async () => {
    const res = await h.call('POST', '/api/experiments', withChanges('bad-changes', {
      changes: [
        { selector: '#ok', action: 'text', value: 'fine' },
        { selector: '.hero >', action: 'text', value: 'x' },
        { selector: '#x', action: 'html', value: '<img src=x onerror=alert(1)>' },
        { selector: '#y', action: 'attribute', name: 'onmouseover', value: 'x' },
      ],
      redirect: 'javascript:alert(1)',
    }));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    const fields = ((await res.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    expect(fields).toEqual(['variants.1.changes.1.selector', 'variants.1.changes.2.value', 'variants.1.changes.3.name', 'variants.1.redirect']);
    expect((await h.call('GET', '/api/experiments/bad-changes')).status).toBe(404);
    const unknownAction = await h.call('POST', '/api/experiments', withChanges('bad-action', { changes: [{ selector: '#a', action: 'script', value: 'x' }] }));
    expect(unknownAction.status).toBe(422);
    expect(await unknownAction.json()).toMatchObject({ errors: [{ field: 'variants.1.changes.0.action' }] });
  });

  it('treats changes and redirects of a live experiment like payloads: a new phase is needed', async () => {
    const current = (await (await h.call('GET', '/api/experiments/cta-changes')).json()) as { version: number; variants: Array<Record<string, unknown>> };
    const variants = current.variants.map((v, i) => (i === 1 ? { key: v.key, name: v.name, weight: v.weight, changes: [{ selector: '#buy', action: 'hide' }] } : { key: v.key, name: v.name, weight: v.weight }));
    const locked = await h.call('PATCH', '/api/experiments/cta-changes', { variants, version: current.version });
    expect(locked.status).toBe(409);
    expect(await locked.json()).toMatchObject({ errors: [{ field: 'variants.1.changes' }] });
    const phased = await h.call('PATCH', '/api/experiments/cta-changes', { variants, version: current.version, newPhase: true });
    expect(phased.status, await phased.clone().text()).toBe(200);
    expect(await phased.json()).toMatchObject({ variants: [{ changes: [] }, { changes: [{ selector: '#buy', action: 'hide' }] }] });
  });
});
