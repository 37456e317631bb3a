import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { access } from '../access/declare.js';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { invalidField } from '../http/problem.js';
import { text } from '../http/schema-helpers.js';
import { readJson, readQuery, slugParam } from '../http/validate.js';
import type { Operation } from '../openapi/registry.js';
import { toSdkExperiment, withUrlPatterns } from '../sdk/config.js';
import { sdkExperimentSchema } from '../sdk/schemas.js';
import { getExperiment } from './repository.js';
import { signPreviewToken, verifyPreviewToken } from './preview-token.js';
import { variantKey } from './schemas.js';

export const PREVIEW_PARAM = 'tp_preview';
const DEFAULT_HOURS = 72;

/**
 * The signing key, made by migration 0017 and shared by every instance through the database, read
 * once per process. Recreated (links minted before stop working) if an operator deleted the row.
 */
let secret: Promise<string> | undefined;
function previewSecret(db: Kysely<Database>): Promise<string> {
  secret ??= (async () => {
    await db.insertInto('server_secrets').values({ name: 'preview', value: randomBytes(32).toString('base64url') }).onConflict((oc) => oc.column('name').doNothing()).execute();
    return (await db.selectFrom('server_secrets').select('value').where('name', '=', 'preview').executeTakeFirstOrThrow()).value;
  })().catch((error: unknown) => {
    secret = undefined;
    throw error;
  });
  return secret;
}

export const previewLinkRequest = z.strictObject({
  variantKey,
  /** A page of the shop to open; the answer's `url` is it with `?tp_preview=<token>` added. */
  url: text(2000, 1)
    .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), 'must be an absolute http(s) URL')
    .optional(),
  expiresInHours: z.number().int().min(1).max(720).default(DEFAULT_HOURS).describe('Link lifetime, 1–720 hours (default 72)'),
});

export const previewLinkResponse = z.object({
  experimentKey: z.string(),
  variantKey: z.string(),
  token: z.string(),
  expiresAt: z.iso.datetime(),
  /** The request's `url` with the token added, when one was given. */
  url: z.string().optional(),
});

export const previewQuery = z.strictObject({ token: text(2000, 1) });

export const previewResponse = z.object({
  experimentKey: z.string(),
  variantKey: z.string(),
  expiresAt: z.iso.datetime(),
  /** The experiment in /sdk/config form, whatever its status (a draft can be previewed). */
  experiment: sdkExperimentSchema,
});

/** POST /api/experiments/:key/preview-links (an editor's). */
export function previewLinkRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().post('/:key/preview-links', access('editor'), async (c) => {
    const experimentKey = slugParam(c, 'experiment');
    const input = await readJson(c, previewLinkRequest);
    const experiment = await getExperiment(deps.db, experimentKey);
    if (!experiment.variants.some((v) => v.key === input.variantKey)) throw invalidField(['variantKey'], `experiment "${experimentKey}" has no variant "${input.variantKey}"`);
    const expiresAt = new Date(deps.now().getTime() + input.expiresInHours * 3_600_000);
    const token = signPreviewToken(await previewSecret(deps.db), { experimentKey, variantKey: input.variantKey, expiresAt });
    let url: string | undefined;
    if (input.url) {
      const page = new URL(input.url);
      page.searchParams.set(PREVIEW_PARAM, token);
      url = page.href;
    }
    return c.json({ experimentKey, variantKey: input.variantKey, token, expiresAt: expiresAt.toISOString(), ...(url && { url }) }, 201);
  });
}

/** GET /sdk/preview?token= (the script tag's): what a genuine link shows. */
export function previewRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/preview', access('sdk'), async (c) => {
    const { token } = readQuery(c, previewQuery);
    const claims = verifyPreviewToken(await previewSecret(deps.db), token, deps.now());
    if ('problem' in claims) throw invalidField(['token'], claims.problem);
    const experiment = await getExperiment(deps.db, claims.experimentKey);
    if (!experiment.variants.some((v) => v.key === claims.variantKey)) throw invalidField(['token'], `experiment "${claims.experimentKey}" no longer has variant "${claims.variantKey}"`);
    const [withPattern] = await withUrlPatterns(deps.db, [experiment]);
    c.header('Cache-Control', 'no-store');
    return c.json({ experimentKey: claims.experimentKey, variantKey: claims.variantKey, expiresAt: claims.expiresAt.toISOString(), experiment: toSdkExperiment(withPattern!) });
  });
}

export const previewOperations: Operation[] = [
  {
    method: 'post',
    path: '/api/experiments/{key}/preview-links',
    summary: 'Mint a signed preview link for one variant (`?tp_preview=<token>`): the script tag shows that variant and logs no exposure and no event, until the link expires',
    tag: 'experiments',
    role: 'editor',
    body: previewLinkRequest,
    response: previewLinkResponse,
    status: 201,
  },
  {
    method: 'get',
    path: '/sdk/preview',
    summary: 'What a preview link shows: the variant and its experiment in SDK form (any status). 422 naming `token` when it is forged, malformed or expired',
    tag: 'sdk',
    auth: 'sdk',
    query: previewQuery,
    response: previewResponse,
    headers: ['Cache-Control'],
  },
];
