// The social providers' settings, part of the one configuration schema (src/config.ts). A provider shows on the
// sign-in and sign-up pages only when it is configured.
import { z } from 'zod';

const credentials = {
  // From the provider's developer console (README "Sign in with Google, Facebook or Microsoft").
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
};

// Test and self-hosted use only: where the provider lives instead of its public address. Tests point it at an OAuth
// server they start on 127.0.0.1; an http:// address is then accepted, which a real provider never needs.
const issuerOverride = z.url({ protocol: /^https?$/ }).optional();

export const socialConfigSchema = z
  .object({
    google: z.object({ ...credentials, issuer: issuerOverride }).optional(),
    microsoft: z
      .object({
        ...credentials,
        // `common` (work, school and personal accounts), `organizations`, `consumers`, or one tenant's id.
        tenant: z
          .string()
          .regex(/^[A-Za-z0-9.-]{1,64}$/)
          .default('common'),
        issuer: issuerOverride,
      })
      .optional(),
    facebook: z
      .object({
        ...credentials,
        // Test and self-hosted only: the login dialog's and the Graph API's base addresses.
        dialogUrl: issuerOverride,
        graphUrl: issuerOverride,
        // The Graph API version in every path.
        graphVersion: z
          .string()
          .regex(/^v\d+\.\d+$/)
          .default('v23.0'),
      })
      .optional(),
    // How long a trip to the provider and back may take.
    flowSeconds: z.number().int().positive().default(600),
  })
  .prefault({});

export type SocialConfig = z.infer<typeof socialConfigSchema>;
