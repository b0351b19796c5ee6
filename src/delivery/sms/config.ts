// The SMS gateway's configuration (`sms.*`): one zod schema the main configuration nests. Each option with its
// default and why.
import { z } from 'zod';

const limit = (count: number, windowSeconds: number) =>
  z
    .object({
      limit: z.number().int().positive().default(count),
      windowSeconds: z.number().int().positive().max(86_400).default(windowSeconds),
    })
    .prefault({});

export const smsConfigSchema = z
  .object({
    // Which gateway sends SMS: `http` (a REST SMS API in Twilio's shape), `smpp` (SMPP 3.4 to an SMS centre), or
    // `mailbox` (nothing is sent; the demo's local mailbox page shows them). Unset: no SMS; registration then takes
    // helpdesk registration codes only. `npm start`'s demo uses the mailbox.
    provider: z.enum(['http', 'smpp', 'mailbox']).optional(),
    http: z
      .object({
        // The API's base URL; the Messages path (/2010-04-01/Accounts/{accountId}/Messages.json) is appended.
        url: z.url({ protocol: /^https?$/ }),
        accountId: z.string().min(1),
        authToken: z.string().min(1),
        // The sender: a number in E.164 or an alphanumeric sender id the provider allows.
        from: z.string().min(1).max(20),
        // Ask for signed delivery reports at <issuer>/sms/status (the provider must reach this server).
        statusCallbacks: z.boolean().default(false),
      })
      .optional(),
    smpp: z
      .object({
        // smpp://host:port, or ssmpp://host:port for SMPP over TLS.
        url: z.string().regex(/^s?smpp:\/\/[^/\s]+\/?$/, 'must be smpp://host:port or ssmpp://host:port'),
        systemId: z.string().min(1).max(15),
        password: z.string().min(1).max(8),
        systemType: z.string().max(12).default(''),
        // The sender: a number (sent as international) or an alphanumeric sender id (at most 11 characters).
        sourceAddr: z.string().min(1).max(20),
        // SMPP 3.4 §4.11: enquire_link keeps an idle link checked (and alive through NAT and firewalls).
        enquireLinkSeconds: z.number().int().min(5).max(600).default(30),
      })
      .optional(),
    // A gateway that does not connect or answer in this time counts as down; the SMS is tried again later.
    connectTimeoutMs: z.number().int().positive().default(5000),
    submitTimeoutMs: z.number().int().positive().default(10_000),
    // How often the SMS outbox looks for SMS to (re)send, and how many tries before one is given up (a code's SMS is
    // given up anyway once its code expired).
    pollMs: z.number().int().positive().default(500),
    maxAttempts: z.number().int().min(1).max(50).default(8),
    // SMS pumping (bots asking for SMS to premium numbers) bills the sender: SMS per person, per number, per source.
    perAccount: limit(5, 3600),
    perNumber: limit(5, 3600),
    perSource: limit(20, 3600),
  })
  .refine((s) => s.provider !== 'http' || s.http !== undefined, {
    message: 'sms.provider is http: set sms.http (url, accountId, authToken, from)',
    path: ['http'],
  })
  .refine((s) => s.provider !== 'smpp' || s.smpp !== undefined, {
    message: 'sms.provider is smpp: set sms.smpp (url, systemId, password, sourceAddr)',
    path: ['smpp'],
  });

export type SmsConfig = z.output<typeof smsConfigSchema>;
