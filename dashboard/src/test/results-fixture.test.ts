// @vitest-environment node
/**
 * The results the component tests render are canned: this keeps them honest. The fixture must be a
 * document the real server may answer, checked against the same OpenAPI document (and validator) that
 * checks every server response in the server's suites — so a field renamed or added on the server
 * fails here instead of leaving the dashboard tested against a shape that no longer exists.
 */
import { expect, it } from 'vitest';
import { responseViolations } from '../../../server/src/test/openapi-validator.js';
import { DEMO_RESULTS, resultsFixture } from './results-fixture.js';

const asServed = (body: unknown) =>
  responseViolations(
    new Request('http://touchpoint.test/api/experiments/demo/results'),
    new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }),
  );

it('the results fixture is a document GET /api/experiments/:key/results may answer', async () => {
  expect(await asServed(DEMO_RESULTS)).toEqual([]);
  expect(await asServed(resultsFixture())).toEqual([]);
});

it('the check catches a drifted fixture', async () => {
  const drifted = resultsFixture((r) => {
    (r as unknown as { metrics: unknown }).metrics = 'not a list';
  });
  expect((await asServed(drifted)).length).toBeGreaterThan(0);
});
