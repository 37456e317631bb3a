import { z } from 'zod';
import { text } from '../http/schema-helpers.js';
import { ROLES } from '../access/roles.js';
import { MAX_PASSWORD_LENGTH } from '../auth/passwords.js';

export const roleSchema = z.enum(ROLES).describe('viewer reads everything; editor also changes touchpoints, metrics and experiments; admin also manages users, keys, webhooks and erasure');

/** An email address as people type them; stored lower-cased. */
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address such as "ana@shop.example"')
  .transform((value) => value.toLowerCase());

/** Length is checked by passwordProblem (auth/passwords.ts) so every route says the same. */
export const passwordSchema = z.string().max(MAX_PASSWORD_LENGTH);

export const inviteUserSchema = z.strictObject({
  email: emailSchema,
  name: text(100, 1),
  role: roleSchema.default('viewer'),
});

export const updateUserSchema = z
  .strictObject({
    role: roleSchema.optional(),
    disabled: z.boolean().optional().describe('true disables the person and ends their sessions at once; false enables them again'),
    name: text(100, 1).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'send at least one of role, disabled, name');

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  status: z.enum(['invited', 'active', 'disabled']).describe('invited: the invitation is not accepted yet'),
  sso: z.boolean().describe('Has signed in with SSO'),
  hasPassword: z.boolean().describe('Has a password here (POST /api/auth/password can change it); false for someone who signs in with SSO only, whose password is kept by the identity provider'),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
});

export const invitedUserSchema = z.object({
  user: userSchema,
  inviteUrl: z.string().describe('Single use, valid 7 days; shown once (only its digest is stored)'),
});
