// @vitest-environment jsdom
// The script tag's pure parts: URL patterns, redirect targets and the idempotent changes engine.
// Its behaviour on a real page (first paint, exposures, redirects, previews) is client-sdk/e2e/script-tag.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import { anyTargetExists, createChangeApplier } from '../src/script-tag/dom-changes.js';
import { redirectTarget } from '../src/script-tag/redirect.js';
import { matchesUrlPattern } from '../src/script-tag/url-pattern.js';
import type { DomChange } from '../src/types.js';

describe('matchesUrlPattern', () => {
  it('matches paths with * wildcards, ignoring the query string, the fragment and a trailing slash', () => {
    expect(matchesUrlPattern(null, 'https://shop.example/anything')).toBe(true);
    expect(matchesUrlPattern('/products/*', 'https://shop.example/products/red-shoe?utm_source=x#top')).toBe(true);
    expect(matchesUrlPattern('/products/*', 'https://shop.example/cart')).toBe(false);
    expect(matchesUrlPattern('/cart', 'https://shop.example/cart/')).toBe(true);
    expect(matchesUrlPattern('/cart', 'https://shop.example/cart-old')).toBe(false);
    expect(matchesUrlPattern('/', 'https://shop.example/')).toBe(true);
    expect(matchesUrlPattern('/', 'https://shop.example/p')).toBe(false);
  });

  it('matches host + path with or without a scheme, and treats regex characters literally', () => {
    expect(matchesUrlPattern('shop.example/p/*', 'https://shop.example/p/1')).toBe(true);
    expect(matchesUrlPattern('shop.example/p/*', 'https://shopxexample/p/1')).toBe(false);
    expect(matchesUrlPattern('https://*.example/checkout', 'https://eu.shop.example/checkout')).toBe(true);
    expect(matchesUrlPattern('https://*.example/checkout', 'http://eu.shop.example/checkout')).toBe(false);
    expect(matchesUrlPattern('/a+b/(x)', 'https://s.example/a+b/(x)')).toBe(true);
  });
});

describe('redirectTarget', () => {
  it('keeps the query string (the target\'s own parameters win) and the fragment', () => {
    expect(redirectTarget('https://s.example/landing?utm_source=mail&a=1&a=2#faq', '/landing-b?a=9')).toBe('https://s.example/landing-b?a=9&utm_source=mail#faq');
    expect(redirectTarget('https://s.example/landing?gclid=x', 'https://other.example/b')).toBe('https://other.example/b?gclid=x');
  });

  it('refuses the page itself (a loop) and non-http targets', () => {
    expect(redirectTarget('https://s.example/landing-b?x=1', '/landing-b')).toBeNull();
    expect(redirectTarget('https://s.example/landing-b/', 'https://s.example/landing-b')).toBeNull();
    expect(redirectTarget('https://s.example/', 'javascript:alert(1)')).toBeNull();
  });
});

describe('changes engine', () => {
  const page = () => {
    document.body.innerHTML = '<h1 class="title">Old</h1><a id="buy" href="/a" class="btn">Buy</a><p class="note">n</p><p class="note">m</p><div id="ad">ad</div>';
  };

  it('applies every action to every matching element', () => {
    page();
    const changes: DomChange[] = [
      { selector: '.title', action: 'text', value: 'New <b>not html</b>' },
      { selector: '.note', action: 'html', value: '<b>Free</b> returns' },
      { selector: '#buy', action: 'attribute', name: 'href', value: '/b' },
      { selector: '#buy', action: 'style', name: 'background-color', value: 'rgb(255, 90, 0)' },
      { selector: '#buy', action: 'class-add', value: 'urgent big' },
      { selector: '#buy', action: 'class-remove', value: 'btn' },
      { selector: '#ad', action: 'hide' },
    ];
    expect(createChangeApplier().apply(document, changes)).toBe(8);
    expect(document.querySelector('.title')!.textContent).toBe('New <b>not html</b>');
    expect([...document.querySelectorAll('.note')].map((e) => e.innerHTML)).toEqual(['<b>Free</b> returns', '<b>Free</b> returns']);
    const buy = document.getElementById('buy')!;
    expect(buy.getAttribute('href')).toBe('/b');
    expect(buy.style.getPropertyValue('background-color')).toBe('rgb(255, 90, 0)');
    expect(buy.className).toBe('urgent big');
    expect(document.getElementById('ad')!.style.display).toBe('none');
    createChangeApplier().apply(document, [{ selector: '#ad', action: 'remove' }]);
    expect(document.getElementById('ad')).toBeNull();
  });

  it('is idempotent (a second pass writes nothing) and re-applies after the page reverts an element', () => {
    page();
    const applier = createChangeApplier();
    const changes: DomChange[] = [{ selector: '.title', action: 'text', value: 'New' }, { selector: '.note', action: 'html', value: '<i>x</i><br>' }];
    expect(applier.apply(document, changes)).toBe(3);
    expect(applier.apply(document, changes)).toBe(0);
    document.querySelector('.title')!.textContent = 'Old again';
    expect(applier.apply(document, changes)).toBe(1);
    expect(document.querySelector('.title')!.textContent).toBe('New');
  });

  it('gives up on an element that a framework keeps reverting, instead of fighting forever', () => {
    page();
    const applier = createChangeApplier();
    const changes: DomChange[] = [{ selector: '.title', action: 'text', value: 'New' }];
    let writes = 0;
    for (let i = 0; i < 100; i++) {
      writes += applier.apply(document, changes);
      document.querySelector('.title')!.textContent = 'Old';
    }
    expect(writes).toBe(20);
  });

  it('tells whether any target of an experiment is on the page', () => {
    page();
    expect(anyTargetExists(document, ['#missing', '.title'])).toBe(true);
    expect(anyTargetExists(document, ['#missing'])).toBe(false);
  });
});

describe('scriptTagSnippet', () => {
  it('is the script tag alone without selectors, preceded by the anti-flicker style and timer with them', async () => {
    const { scriptTagSnippet } = await import('../src/script-tag/snippet.js');
    expect(scriptTagSnippet({ serverUrl: 'https://ab.example/', sdkKey: 'tp_sdk_x', consentPending: true })).toBe(
      '<script src="https://ab.example/sdk/touchpoint.js" data-sdk-key="tp_sdk_x" data-consent="pending"></script>',
    );
    const html = scriptTagSnippet({ serverUrl: 'https://ab.example', sdkKey: 'k"<', selectors: ['#buy', '.hero h1', '#buy', '[data-x="</style>"]'] });
    expect(html).toContain('<style id="tp-antiflicker">#buy,.hero h1,[data-x="\\3c /style>"]{visibility:hidden!important}</style>');
    expect(html).toContain('},1000)</script>');
    expect(html).toContain('data-sdk-key="k&quot;&lt;"');
    expect(html.match(/<\/style>/g)).toHaveLength(1);
  });
});
