/**
 * The demo shop: touchpoints along a funnel, metrics, experiments and the true behaviour of its
 * visitors (design.md §3, "a typical shop funnel"). Pure data; `simulate.ts` draws traffic from it
 * and `seed.ts` creates it through the API.
 *
 * Visitor funnel (per visitor, step-to-step probabilities):
 *   arrive on the landing page → product_view 65 % → add_to_cart 12 % → checkout_started 50 %
 *   → purchase 64.1 %, i.e. 2.5 % of visitors buy, as design.md expects of a shop.
 */

/** Event names of the funnel, in order. */
export const EVENTS = {
  productView: 'product_view',
  addToCart: 'add_to_cart',
  checkoutStarted: 'checkout_started',
  purchase: 'purchase',
} as const;

export const BASE_RATES = {
  productView: 0.65,
  addToCart: 0.12,
  checkoutStarted: 0.5,
  /** 0.65 × 0.12 × 0.5 × 0.641 = 2.5 % of visitors. */
  purchase: 0.641,
} as const;

export const VISITOR_PURCHASE_RATE = BASE_RATES.productView * BASE_RATES.addToCart * BASE_RATES.checkoutStarted * BASE_RATES.purchase;

/** Order values: log-normal, median €48, mean ≈ €54; 10 % of buyers order a second time within two days. */
export const ORDER_VALUE = { median: 48, sigma: 0.5, repeatRate: 0.1 } as const;

/** Visitor attributes (exposure snapshots, for segments). Device multiplies the add-to-cart rate (mean 1). */
export const DEVICES = [
  { value: 'mobile', share: 0.6, addToCart: 0.8 },
  { value: 'desktop', share: 0.35, addToCart: 1.4 },
  { value: 'tablet', share: 0.05, addToCart: 0.6 },
] as const;
export const CHANNELS = [
  { value: 'organic', share: 0.4 },
  { value: 'paid_search', share: 0.25 },
  { value: 'social', share: 0.2 },
  { value: 'email', share: 0.15 },
] as const;
export const COUNTRIES = [
  { value: 'FR', share: 0.35 },
  { value: 'DE', share: 0.25 },
  { value: 'BE', share: 0.15 },
  { value: 'ES', share: 0.15 },
  { value: 'IT', share: 0.1 },
] as const;

/** The key whose existence marks a database that already has the demo (first thing created). */
export const MARKER_TOUCHPOINT = 'demo-landing-hero';

export const TOUCHPOINTS = [
  { key: MARKER_TOUCHPOINT, name: 'Landing page hero', kind: 'landing_page', funnelStage: 'awareness', urlPattern: '/', description: 'Demo shop: the hero banner every visitor sees first.' },
  { key: 'demo-shipping-info', name: 'Pricing and shipping information', kind: 'pricing_page', funnelStage: 'consideration', urlPattern: '/shipping', description: 'Demo shop: delivery costs and times.' },
  { key: 'demo-pdp-gallery', name: 'Product page gallery', kind: 'product_page', funnelStage: 'consideration', urlPattern: '/products/*', description: 'Demo shop: the image gallery of a product page.' },
  { key: 'demo-add-to-cart-cta', name: 'Add-to-cart button', kind: 'cta', funnelStage: 'decision', urlPattern: '/products/*', description: 'Demo shop: the main call to action of a product page.' },
  { key: 'demo-cart', name: 'Cart', kind: 'cart', funnelStage: 'decision', urlPattern: '/cart', description: 'Demo shop: the cart summary.' },
  { key: 'demo-checkout-form', name: 'Checkout form', kind: 'checkout_form', funnelStage: 'purchase', urlPattern: '/checkout', description: 'Demo shop: address and payment.' },
  { key: 'demo-order-email', name: 'Order confirmation email', kind: 'email', funnelStage: 'retention', description: 'Demo shop: sent after each purchase.' },
] as const;

export const METRICS = [
  { key: 'demo-purchase', name: 'Purchase conversion', type: 'conversion', eventName: EVENTS.purchase, description: 'Share of exposed visitors who bought within 72 h.' },
  { key: 'demo-add-to-cart', name: 'Add-to-cart conversion', type: 'conversion', eventName: EVENTS.addToCart, description: 'Share of exposed visitors who added a product to the cart.' },
  { key: 'demo-revenue', name: 'Revenue per visitor', type: 'revenue', eventName: EVENTS.purchase, description: 'Order values summed per exposed visitor (0 without an order).' },
  {
    key: 'demo-average-order-value',
    name: 'Average order value',
    type: 'ratio',
    numerator: { eventName: EVENTS.purchase, aggregate: 'sum' },
    denominator: { eventName: EVENTS.purchase, aggregate: 'count' },
    description: 'Revenue / orders.',
  },
  {
    key: 'demo-checkout-funnel',
    name: 'Checkout funnel',
    type: 'funnel',
    steps: [EVENTS.productView, EVENTS.addToCart, EVENTS.checkoutStarted, EVENTS.purchase],
    description: 'Product view → add to cart → checkout started → purchase.',
  },
] as const;

/**
 * Where a visitor meets an experiment: on arrival (landing page) or on the product page. A unit is
 * exposed — and reported — only when it reaches the touchpoint, as a real site would do.
 */
export type ExposurePoint = 'arrival' | 'product_view';

/** A true effect: the variant multiplies one step-to-step probability. */
export interface TrueEffect {
  step: 'addToCart' | 'purchase';
  multiplier: number;
}

export interface DemoExperiment {
  body: Record<string, unknown> & { key: string; variants: { key: string; name: string; weight: number; payload?: unknown }[] };
  /** Final state; running experiments start at `startDay` (days before now), the stopped one also stops at `stopDay`. */
  state: 'running' | 'stopped' | 'draft';
  startDay?: number;
  stopDay?: number;
  stop?: { winner: string | null; note: string };
  exposedAt?: ExposurePoint;
  /** Variant key → effect; variants absent here behave like the control. */
  effects: Record<string, TrueEffect>;
  /** In words, for the CLI. */
  truth: string;
  /** Relative lift of the primary metric that is true by construction (variant 1 vs control). */
  trueRelativeLift?: number;
}

const split = (control: [string, string, unknown], variant: [string, string, unknown]) => [
  { key: control[0], name: control[1], weight: 0.5, payload: control[2] },
  { key: variant[0], name: variant[1], weight: 0.5, payload: variant[2] },
];

const PURCHASE_LIFT = 0.029 / 0.025;
const ADD_TO_CART_LIFT = 1.15;

export const EXPERIMENTS: DemoExperiment[] = [
  {
    body: {
      key: 'demo-free-shipping-hero',
      name: 'Free-shipping promise in the landing hero',
      hypothesis: 'Saying up front that shipping is free removes the surprise cost that makes buyers abandon the checkout.',
      touchpointKey: MARKER_TOUCHPOINT,
      variants: split(['control', 'Current hero', { headline: 'New season, new favourites' }], ['free-shipping', 'Free shipping promise', { headline: 'Free shipping on every order' }]),
      primaryMetric: 'demo-purchase',
      secondaryMetrics: ['demo-revenue', 'demo-average-order-value', 'demo-checkout-funnel'],
      guardrailMetrics: ['demo-add-to-cart'],
      minimumDetectableEffect: 0.15,
    },
    state: 'running',
    startDay: 6,
    exposedAt: 'arrival',
    effects: { 'free-shipping': { step: 'purchase', multiplier: PURCHASE_LIFT } },
    truth: 'purchase ×1.16 (2.5 % → 2.9 % of visitors on the base funnel; only the checkout → purchase step changes); add to cart and order value unchanged',
    trueRelativeLift: PURCHASE_LIFT - 1,
  },
  {
    body: {
      key: 'demo-pdp-gallery-video',
      name: 'Product video first in the gallery',
      hypothesis: 'A short video as the first gallery item makes visitors add to cart more often.',
      touchpointKey: 'demo-pdp-gallery',
      variants: split(['control', 'Photos only', { first: 'photo' }], ['video-first', 'Video first', { first: 'video' }]),
      primaryMetric: 'demo-add-to-cart',
      secondaryMetrics: ['demo-purchase', 'demo-checkout-funnel'],
      minimumDetectableEffect: 0.1,
    },
    state: 'running',
    startDay: 5,
    exposedAt: 'product_view',
    effects: {},
    truth: 'no effect at all (an A/A in disguise): any "lift" is noise',
    trueRelativeLift: 0,
  },
  {
    body: {
      key: 'demo-add-to-cart-copy',
      name: 'Add-to-cart button copy',
      hypothesis: 'Mentioning free returns on the button reduces hesitation.',
      touchpointKey: 'demo-add-to-cart-cta',
      variants: split(['control', 'Add to cart', { label: 'Add to cart' }], ['free-returns', 'Add to cart, free returns', { label: 'Add to cart · free returns' }]),
      primaryMetric: 'demo-add-to-cart',
      secondaryMetrics: ['demo-purchase', 'demo-revenue'],
      // A busy product page whose team agreed to decide after 4 days instead of the default week: its
      // results reach a decision, while the running experiments (5 and 6 days) are still collecting.
      minimumDays: 4,
    },
    state: 'stopped',
    startDay: 6,
    stopDay: 2,
    stop: { winner: 'free-returns', note: 'Add to cart +15 %, significant; shipped to everyone.' },
    exposedAt: 'product_view',
    effects: { 'free-returns': { step: 'addToCart', multiplier: ADD_TO_CART_LIFT } },
    truth: 'add to cart 12 % → 13.8 % of product viewers (+15 % relative), ran for 4 days',
    trueRelativeLift: ADD_TO_CART_LIFT - 1,
  },
  {
    body: {
      key: 'demo-express-checkout',
      name: 'Express payment buttons above the checkout form',
      hypothesis: 'Wallet buttons at the top of the form shorten the checkout on mobile.',
      touchpointKey: 'demo-checkout-form',
      variants: split(['control', 'Form only', { express: false }], ['express', 'Express buttons first', { express: true }]),
      primaryMetric: 'demo-purchase',
      secondaryMetrics: ['demo-checkout-funnel'],
      targeting: { all: [{ attribute: 'device', op: 'in', value: ['mobile', 'tablet'] }] },
    },
    state: 'draft',
    effects: {},
    truth: 'draft: not started, no traffic',
  },
];
