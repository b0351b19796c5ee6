// The terminal side: `code` prints the current code (for scripts: the code alone on standard output), `register`
// asks what /otp/register asks, then a PIN; `change-pin`; `about`. Messages go to standard error.
import { readSerial, TokenError, type DesktopToken } from '../core/index.ts';
import type { TesseraApi } from './api.ts';
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
    const pin = await c.prompt.secret('New PIN (6 to 64 characters): ');
    if ([...pin.normalize('NFC')].length < 6) {
      c.say(describeError(new TokenError('vault.weak_pin')));
      continue;
    }
    if ((await c.prompt.secret('The same PIN again: ')) === pin) return pin;
    c.say('The two PINs differ. Again:');
  }
}

export async function clockWarning(api: TesseraApi): Promise<string | undefined> {
  const offset = await clockOffsetSeconds(api);
  if (offset === undefined) return 'Could not ask Tessera for its time; if codes are refused, check the PC clock.';
  if (Math.abs(offset) > clockWarningSeconds)
    return `This PC's clock is ${Math.abs(offset)} s ${offset > 0 ? 'ahead of' : 'behind'} Tessera's: codes may be refused. Set the clock automatically.`;
  return undefined;
}

export async function codeCommand(c: CliContext, options: { quiet?: boolean }): Promise<void> {
  const open = await c.token.open(await c.prompt.secret('PIN: '));
  if (!options.quiet) {
    const warning = await clockWarning(c.api(open.contents.server));
    if (warning) c.say(warning);
  }
  const now = open.code(Date.now());
  c.out(now.code);
  c.say(`${now.secondsLeft} s left (token ${open.contents.tokenSerial}); next code ${now.next}.`);
}

/** The answers /otp/register asks for, each retried on a wrong answer while the flow lives. */
async function registrationSteps(c: CliContext, api: TesseraApi): Promise<string> {
  const name = await c.prompt.ask('Directory user name: ');
  await api.start(name, await c.prompt.secret('Directory password: '));
  let step = await api.employeeId(await c.prompt.ask('Employee ID: '));
  c.say(
    step.sms === 'sent' || step.sms === 'late'
      ? `An SMS code was sent to ${step.maskedNumber}${step.sms === 'late' ? ' (it may be late)' : ''}. No SMS? Ask IT support for a registration code.`
      : 'No SMS can be sent: ask IT support for a registration code.',
  );
  for (;;) {
    const code = await c.prompt.ask('SMS or registration code (r: send the SMS again): ');
    if (code.toLowerCase() !== 'r') {
      await api.code(code);
      return name;
    }
    step = await api.resendSms();
    c.say(`A new SMS code was sent to ${step.maskedNumber}.`);
  }
}

export async function registerCommand(c: CliContext, options: { server?: string }): Promise<void> {
  const server = options.server ?? builtInServer ?? (await c.prompt.ask('Tessera address (https://…): '));
  const api = c.api(server);
  const warning = await clockWarning(api);
  if (warning) c.say(warning);
  if ((await c.token.state()) === 'ready')
    c.say('This PC already has a token: registering again replaces it (and your phone app, if any).');
  const account = await registrationSteps(c, api);
  const pin = await newPin(c);
  const done = await finishRegistration(api, c.token, { pin, account });
  c.say(`Registered: token ${done.serial}.${done.replaced.length ? ` It replaces ${done.replaced.join(', ')}.` : ''}`);
  c.say('Your PIN unlocks this token on this PC only; it never changes unless you change it ("change-pin").');
}

export async function changePinCommand(c: CliContext): Promise<void> {
  const old = await c.prompt.secret('Current PIN: ');
  const state = await c.token.pinState();
  if (state.waitSeconds) throw new TokenError('vault.wait', { retryAfterSeconds: state.waitSeconds });
  const pin = await newPin(c);
  await c.token.changePin(old, pin);
  c.say('PIN changed. Your codes stay the same.');
}

export async function aboutLines(token: DesktopToken): Promise<string[]> {
  const lines = [
    `Tessera desktop token ${version} (${flavour} build, Node.js ${process.version}, ${process.platform}-${process.arch})`,
  ];
  lines.push(`Token file: ${vaultPath()} (${await token.state()})`);
  try {
    const serial = await readSerial(serialPorts);
    lines.push(`Serial number read from: ${serial.how}`);
  } catch (err) {
    lines.push(`Serial number: ${describeError(err)}`);
  }
  lines.push('Sent to Tessera: a salted hash of the serial number at registration, never the serial itself.');
  if (testSwitches) lines.push('Test switches are on: this is not a release build.');
  return lines;
}
