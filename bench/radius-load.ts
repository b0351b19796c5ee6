// The NAS side of the RADIUS bench: VPN logins with password and current code in one User-Password (passOTP),
// built on Tessera's own RADIUS codec. It runs in a worker thread (worker-load.ts), the same for both servers.
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import {
  AttributeCode,
  decodePacket,
  hidePassword,
  PacketCode,
  packetCodeName,
  verifyResponse,
  type RadiusPacket,
} from '../src/radius/index.ts';
import { openNas, type Nas } from '../src/radius/nas.ts';
import { base32Decode, totp } from '../src/otp/index.ts';
import { measure, openLoop } from './load.ts';
import type { LoadSide } from './worker-load.ts';

export const stepMs = 30_000;
export const totpParameters = { algorithm: 'SHA1', digits: 6, periodSeconds: 30 } as const;
// rlm_totp only takes the code of the step the packet arrived in, and reads the time in whole seconds, from a clock
// that may lag Date.now() by a few milliseconds: a code is read only well inside its step, on either side, and the
// worker otherwise waits as a person would.
const stepEndMarginMs = 100;
const stepStartMarginMs = 50;
const replyTimeoutMs = 2000;

export interface BenchUser {
  name: string;
  password: string;
  secretBase32: string;
}

/**
 * Tessera accepts each step's code once per person (RFC 6238 §5.2). Rather than thousands of users per 30 s, its
 * clock is real time plus whole steps: once every user has logged in during the current step it moves to the next.
 * Step boundaries stay those of real time, and every login is still a fresh code for the step Tessera is in.
 * The step count lives in shared memory, so Tessera's thread and the load worker read the same clock.
 */
export function steppingClock(shared = new SharedArrayBuffer(4)) {
  const steps = new Int32Array(shared);
  return {
    shared,
    now: () => Date.now() + Atomics.load(steps, 0) * stepMs,
    nextStep: () => {
      Atomics.add(steps, 0, 1);
    },
  };
}

export async function send(nas: Nas, secret: string, userName: string, password: string): Promise<RadiusPacket> {
  const authenticator = randomBytes(16);
  const request = nas.build(
    PacketCode.AccessRequest,
    [
      { type: AttributeCode.UserName, value: Buffer.from(userName) },
      {
        type: AttributeCode.UserPassword,
        value: hidePassword(Buffer.from(password), Buffer.from(secret), authenticator),
      },
    ],
    { authenticator },
  );
  const reply = await nas.exchange(request, replyTimeoutMs);
  if (reply === null) throw new Error(`no reply for ${userName} within ${replyTimeoutMs} ms`);
  if (!verifyResponse(reply, authenticator, Buffer.from(secret)))
    throw new Error('reply with a wrong Response Authenticator');
  return decodePacket(reply);
}

export interface RadiusLoadOptions {
  port: number;
  secret: string;
  users: BenchUser[];
  concurrency: number;
  durationMs: number;
  /** Tessera's stepping clock; FreeRADIUS's rlm_totp keeps no record of used codes and is sent real time. */
  steps?: SharedArrayBuffer;
  /** Where Tessera in other processes reads the step count (stepped-time.ts), written at each step. */
  stepsFile?: string;
}

/** Each login picks the next user, types password + current code, and expects Access-Accept. */
export async function radiusLoad(o: RadiusLoadOptions): Promise<LoadSide> {
  const shared = o.steps ? steppingClock(o.steps) : undefined;
  const clock = shared
    ? {
        now: shared.now,
        nextStep: () => {
          shared.nextStep();
          if (o.stepsFile) {
            // Written aside and renamed, so that a reader never sees a half-written file.
            const aside = `${o.stepsFile}.${threadId}`;
            writeFileSync(aside, String(Math.round((shared.now() - Date.now()) / stepMs)));
            renameSync(aside, o.stepsFile);
          }
        },
      }
    : { now: () => Date.now(), nextStep: undefined };
  // The key as a KeyObject: the load generator's own HMACs should cost it as little as Node allows.
  const users = o.users.map((u) => ({ ...u, key: createSecretKey(base32Decode(u.secretBase32)) as KeyObject }));
  const lastStep = new Array<number>(users.length).fill(-1);
  let cursor = 0;

  async function pick() {
    let now = clock.now();
    // A loop, since a timer may fire a fraction of a millisecond early.
    while (stepMs - (now % stepMs) < stepEndMarginMs || now % stepMs < stepStartMarginMs) {
      await new Promise((resolve) => setTimeout(resolve, (stepMs - (now % stepMs) + stepStartMarginMs) % stepMs));
      now = clock.now();
    }
    const index = cursor++ % users.length;
    let step = Math.floor(now / stepMs);
    if (lastStep[index] >= step && clock.nextStep) {
      clock.nextStep();
      now = clock.now();
      step = Math.floor(now / stepMs);
    }
    lastStep[index] = step;
    return { user: users[index], code: totp(users[index].key, now, totpParameters) };
  }

  // A socket of its own for each login in flight: a reply is matched by its Identifier alone. An open-loop round
  // may have more in flight than the closed loop's workers when the server falls behind.
  const sockets = await Promise.all(
    Array.from({ length: 4 * o.concurrency }, () => openNas({ port: o.port, secret: Buffer.from(o.secret) })),
  );
  const maxInFlight = sockets.length;
  async function login(): Promise<void> {
    const { user, code } = await pick();
    const nas = sockets.pop()!;
    try {
      const reply = await send(nas, o.secret, user.name, user.password + code);
      if (reply.code !== PacketCode.AccessAccept) {
        const message = reply.attributes.find((a) => a.type === AttributeCode.ReplyMessage)?.value.toString('utf8');
        throw new Error(`${user.name} got ${packetCodeName(reply.code)}${message ? ` (${message})` : ''}`);
      }
    } finally {
      sockets.push(nas);
    }
  }

  return {
    round: (name, ratePerSecond) =>
      ratePerSecond
        ? openLoop(name, login, { ratePerSecond, durationMs: o.durationMs, maxInFlight })
        : measure(name, login, { concurrency: o.concurrency, durationMs: o.durationMs }),
    close: async () => {
      await Promise.all(sockets.map((s) => s.close()));
    },
  };
}
