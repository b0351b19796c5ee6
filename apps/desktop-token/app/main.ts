// desktop-token: the PC OTP app. With no command it opens its window (a local page in the default browser);
// `code`, `register`, `change-pin`, `about` and `--version` work in a terminal.
import { spawn } from 'node:child_process';
import { inLocale, localeFromEnvironment, t } from '../../../src/i18n/index.ts';
import { tesseraApi } from './api.ts';
import { aboutLines, changePinCommand, codeCommand, registerCommand, type CliContext } from './cli.ts';
import { describeError } from './messages.ts';
import { startPage } from './page.ts';
import { desktopToken, version } from './platform.ts';
import { terminalPrompter } from './prompt.ts';

const usage = `Usage: desktop-token [command]
  (none)        open the app's window in the default browser  [--no-browser] [--port N]
  code          print the current code (asks for the PIN)      [--quiet: no clock check]
  register      register this PC (directory password, employee ID, SMS or helpdesk code, then a PIN)  [--server URL]
  change-pin    change the PIN (the codes stay the same)
  about         version, token file, how the serial number is read
  --version     print the version`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'win32'
      ? ['cmd', ['/c', 'start', '""', url]]
      : [process.platform === 'darwin' ? 'open' : 'xdg-open', [url]];
  spawn(command as string, args as string[], { stdio: 'ignore', detached: true })
    .on('error', () => {})
    .unref();
}

async function window(args: string[], context: CliContext): Promise<void> {
  const port = option(args, '--port');
  const { url } = await startPage({ token: context.token, api: context.api, port: port ? Number(port) : undefined });
  context.say(t('desktop.window_open', { url }));
  context.out(url);
  if (!args.includes('--no-browser')) openBrowser(url);
  await new Promise(() => {});
}

export async function main(args: string[]): Promise<number> {
  const command = args[0];
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (command === '--help' || command === 'help') {
    process.stderr.write(`${usage}\n`);
    return 0;
  }
  const prompt = terminalPrompter();
  const context: CliContext = {
    token: desktopToken(),
    prompt,
    out: (line) => process.stdout.write(`${line}\n`),
    say: (line) => process.stderr.write(`${line}\n`),
    api: (server) => tesseraApi(server),
  };
  try {
    // No command, or only the window's options.
    if (command === undefined || command === 'open' || command.startsWith('--')) await window(args, context);
    else if (command === 'code') await codeCommand(context, { quiet: args.includes('--quiet') });
    else if (command === 'register') await registerCommand(context, { server: option(args, '--server') });
    else if (command === 'change-pin') await changePinCommand(context);
    else if (command === 'about') for (const line of await aboutLines(context.token)) context.out(line);
    else {
      context.say(usage);
      return 2;
    }
    return 0;
  } catch (err) {
    context.say(describeError(err));
    return 1;
  } finally {
    prompt.close();
  }
}

// In the language of the person's system (LANG, or what Windows and macOS report); the window's page too.
inLocale(localeFromEnvironment(process.env), () => main(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
