/** The events a webhook can subscribe to (design.md §8). */
export const WEBHOOK_EVENTS = [
  'experiment.started',
  'experiment.paused',
  'experiment.stopped',
  'experiment.decision_changed',
  'experiment.srm_detected',
  'experiment.guardrail_harmed',
  // Beyond design.md §8's list: a shipped winner (stop with ship: true) stops being served.
  'experiment.rollout_ended',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** What an event says; `data` always names the experiment, plus what the type adds. */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: { experiment: { key: string; name: string; status: string } } & Record<string, unknown>;
}
