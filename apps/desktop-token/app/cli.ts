// The terminal side: `code` prints the current code (for scripts: the code alone on standard output), `register`
// asks what /otp/register asks, then a PIN; `change-pin`; `about`. Messages go to standard error.
import { readSerial, TokenError, type DesktopToken } from '../core/index.ts';
import { t } from '../../../src/i18n/index.ts';
import type { CodeStepState, TesseraApi } from './api.ts';
import { describeError } from './messages.ts';
import { builtInServer, flavour, serialPorts, testSwitches, vaultPath, version } from './platform.ts';
import type { Prompter } from './prompt.ts';
import { clockOffsetSeconds, clockWarningSeconds, finishRegistration } from './session.ts';

export interface CliContext {
  token: DesktopToken;
  prompt: Prompter;
  out: (line: string) => void;
  say: (line: string) => void;
  api: (server: string) => TesseraApi;
}

async function newPin(c: CliContext): Promise<string> {
  for (;;) {
    const pin = await c.prompt.secret(t('desktop.prompt_new_pin'));
    if ([...pin.normalize('NFC')].length < 6) {
      c.say(describeError(new TokenError('vault.weak_pin')));
      continue;
    }
    if ((await c.prompt.secret(t('desktop.prompt_pin_again'))) === pin) return pin;
    c.say(t('desktop.pins_differ'));
  }
}

export async function clockWarning(api: TesseraApi): Promise<string | undefined> {
  const offset = await clockOffsetSeconds(api);
  if (offset === undefined) return t('desktop.clock_unknown');
  if (Math.abs(offset) > clockWarningSeconds)
    return t(offset > 0 ? 'desktop.clock_ahead' : 'desktop.clock_behind', { offset: Math.abs(offset) });
  return undefined;
}

export async function codeCommand(c: CliContext, options: { quiet?: boolean }): Promise<void> {
  const open = await c.token.open(await c.prompt.secret(t('desktop.prompt_pin')));
  if (!options.quiet) {
    const warning = await clockWarning(c.api(open.contents.server));
    if (warning) c.say(warning);
  }
  const now = open.code(Date.now());
  c.out(now.code);
  c.say(t('desktop.code_left', { left: now.secondsLeft, serial: open.contents.tokenSerial, next: now.next }));
}

/** Asks again while Tessera says the answer was wrong (the flow itself ends after 5 wrong answers at a step). */
async function retried<T>(c: CliContext, wrong: string, attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof TokenError && err.code === 'server.refused' && err.detail === wrong)) throw err;
      c.say(describeError(err));
    }
  }
}

/** The answers /otp/register asks for, each asked again after a wrong answer while the flow lives. */
async function registrationSteps(c: CliContext, api: TesseraApi): Promise<string> {
  const name = await c.prompt.ask(t('desktop.prompt_name'));
  await api.start(name, await c.prompt.secret(t('desktop.prompt_password')));
  const step = await retried(c, 'registration.wrong_employee_id', async () =>
    api.employeeId(await c.prompt.ask(t('desktop.prompt_employee_id'))),
  );
  c.say(smsNote(step));
  await retried(c, 'registration.wrong_code', async () => {
    for (;;) {
      const code = await c.prompt.ask(t('desktop.prompt_code'));
      if (code.toLowerCase() !== 'r') return api.code(code);
      c.say(t('desktop.sms_resent', { number: (await api.resendSms()).maskedNumber ?? '' }));
    }
  });
  return name;
}

export async function registerCommand(c: CliContext, options: { server?: string }): Promise<void> {
  const server = options.server ?? builtInServer ?? (await c.prompt.ask(t('desktop.prompt_server')));
  const api = c.api(server);
  const warning = await clockWarning(api);
  if (warning) c.say(warning);
  if ((await c.token.state()) === 'ready') c.say(t('desktop.already_registered'));
  const account = await registrationSteps(c, api);
  const pin = await newPin(c);
  const done = await finishRegistration(api, c.token, { pin, account });
  const replaced = done.replaced.length
    ? ` ${t('desktop.registered_replaces', { serials: done.replaced.join(', ') })}`
    : '';
  c.say(`${t('desktop.registered', { serial: done.serial })}${replaced}`);
  c.say(t('desktop.pin_note'));
}

export async function changePinCommand(c: CliContext): Promise<void> {
  const old = await c.prompt.secret(t('desktop.prompt_current_pin'));
  const state = await c.token.pinState();
  if (state.waitSeconds) throw new TokenError('vault.wait', { retryAfterSeconds: state.waitSeconds });
  const pin = await newPin(c);
  await c.token.changePin(old, pin);
  c.say(t('desktop.pin_changed'));
}

export async function aboutLines(token: DesktopToken): Promise<string[]> {
  const platform = `${process.platform}-${process.arch}`;
  const lines = [t('desktop.about_version', { version, flavour, node: process.version, platform })];
  lines.push(t('desktop.about_vault', { path: vaultPath(), state: await token.state() }));
  try {
    lines.push(t('desktop.about_serial', { how: (await readSerial(serialPorts)).how }));
  } catch (err) {
    lines.push(t('desktop.about_serial_error', { error: describeError(err) }));
  }
  lines.push(t('desktop.about_sent'));
  if (testSwitches) lines.push(t('desktop.about_test'));
  return lines;
}

/** What the code step says about the SMS: sent (or late) to a number mostly hidden, or none: a helpdesk code. */
export function smsNote(step: CodeStepState): string {
  const number = step.maskedNumber ?? '';
  if (step.sms === 'sent') return t('desktop.sms_sent', { number });
  return step.sms === 'late' ? t('desktop.sms_late', { number }) : t('desktop.no_sms');
}
