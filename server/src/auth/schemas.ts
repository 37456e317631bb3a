import { z } from 'zod';
import { text } from '../http/schema-helpers.js';
import { emailSchema, passwordSchema, roleSchema, userSchema } from '../users/schemas.js';

export const loginSchema = z.strictObject({
  // Any string up to 254: a malformed address is a failed sign-in like any other, not a hint.
  email: z.string().max(254).transform((value) => value.trim().toLowerCase()),
  password: passwordSchema,
});

export const acceptInviteSchema = z.strictObject({
  token: z.string().max(200).describe('From the invitation link (`/accept-invite#token=…`)'),
  password: passwordSchema.describe('At least 12 characters'),
});

export const setupSchema = z.strictObject({
  token: z.string().max(200).describe('From the setup link the server printed on first start (`/setup#token=…`)'),
  email: emailSchema,
  name: text(100, 1),
  password: passwordSchema.describe('At least 12 characters'),
});

export const changePasswordSchema = z.strictObject({
  currentPassword: passwordSchema,
  newPassword: passwordSchema.describe('At least 12 characters; every other session of yours ends'),
});

export const signedInSchema = z.object({
  user: userSchema,
  csrfToken: z.string().describe('Send it as X-CSRF-Token with every write made with the session cookie'),
});

export const meSchema = z.object({
  role: roleSchema,
  user: userSchema.optional().describe('Signed in with a session'),
  csrfToken: z.string().optional().describe('Signed in with a session: the X-CSRF-Token for writes'),
  key: z.object({ id: z.string(), name: z.string() }).optional().describe('Authenticated with an admin key (Bearer)'),
});

export const authConfigSchema = z.object({
  sso: z.boolean().describe('OIDC sign-in is configured: GET /api/auth/oidc/start'),
  setupRequired: z.boolean().describe('No user exists yet: open the setup link the server printed on start'),
});
