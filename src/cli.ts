#!/usr/bin/env node
// `tessera`: the operator's commands, one file each under cli/commands, each calling the admin service. This file is
// the table of them, and the one place where an error becomes a message and an exit status (cli/errors.ts).
import { enableCompileCache } from 'node:module';
import type { Command as CommandType } from 'commander';
import type { CliContext } from './cli/index.ts';

// Every command composes a whole server first: ~500 modules, whose compiling took most of a command's 1.5-2 s.
// V8's compiled code is kept on disk (NODE_COMPILE_CACHE, else the system's temporary directory) and reused while
// the files are unchanged; it must be switched on before they load, so they are imported after it.
enableCompileCache();
const { Command } = await import('commander');
const {
  createContext,
  describeError,
  checkRequired,
  commandPath,
  serve,
  migrate,
  clientAdd,
  clientList,
  clientRemove,
  userAdd,
  keysRotate,
  directoryCheck,
  directorySync,
  policySet,
  policyList,
  campaignSend,
  radiusClientAdd,
  radiusClientList,
  radiusClientRemove,
  radiusSessions,
  otpTokens,
  otpUnlock,
  otpUnbind,
  otpImport,
  otpAssign,
  otpRegistrationCode,
  audit,
  auditVerify,
  samlSpAdd,
  samlSpList,
  samlSpRemove,
  samlKeysRotate,
  adminGrant,
  adminRevoke,
  adminList,
} = await import('./cli/index.ts');

type Make = (ctx: CliContext) => CommandType;

// Where each command sits: the words before its name, then the command.
const commands: Array<[under: string, make: Make]> = [
  ['', serve],
  ['', migrate],
  ['client', clientAdd],
  ['client', clientList],
  ['client', clientRemove],
  ['user', userAdd],
  ['keys', keysRotate],
  ['directory', directoryCheck],
  ['directory', directorySync],
  ['policy', policySet],
  ['policy', policyList],
  ['campaign', campaignSend],
  ['radius client', radiusClientAdd],
  ['radius client', radiusClientList],
  ['radius client', radiusClientRemove],
  ['radius', radiusSessions],
  ['otp', otpTokens],
  ['otp', otpUnlock],
  ['otp', otpUnbind],
  ['otp', otpImport],
  ['otp', otpAssign],
  ['otp', otpRegistrationCode],
  ['', audit],
  ['audit', auditVerify],
  ['saml sp', samlSpAdd],
  ['saml sp', samlSpList],
  ['saml sp', samlSpRemove],
  ['saml keys', samlKeysRotate],
  ['admin', adminGrant],
  ['admin', adminRevoke],
  ['admin', adminList],
];

const groups: Record<string, string> = {
  client: 'apps that sign people in (OIDC clients)',
  user: 'accounts kept in Tessera',
  keys: 'the signing keys of ID and access tokens',
  directory: 'the company directory (Active Directory, OpenLDAP)',
  policy: 'when apps ask for the one-time code',
  campaign: 'marketing mail to customers who opted in',
  radius: 'VPN gateways and their sessions',
  'radius client': 'the VPN gateways Tessera answers',
  otp: "the helpdesk's work on OTP tokens",
  saml: 'the SAML identity provider (federated apps, ADFS-style)',
  'saml sp': 'the SAML apps (service providers), added from their metadata',
  'saml keys': 'the SAML signing keys (current and next, in the metadata)',
  admin: 'who may use the admin service and the console (roles)',
};

const footer = `
Run "tessera <command> --help" for a command's options.
Exit status: 0 done, 1 refused or failed (the message says why), 2 the command line itself is wrong.`;

/** The command at `path` under `root`, made (with its description) where missing. */
function commandAt(root: CommandType, path: string): CommandType {
  let at = root;
  for (const [i, name] of path.split(' ').filter(Boolean).entries()) {
    const full = path
      .split(' ')
      .slice(0, i + 1)
      .join(' ');
    at = at.commands.find((c) => c.name() === name) ?? at.command(name).description(groups[full] ?? '');
  }
  return at;
}

function program(ctx: CliContext): CommandType {
  const root = new Command('tessera').description('Tessera: single sign-on, VPN two-factor and OTP tokens');
  for (const [under, make] of commands) commandAt(root, under).addCommand(make(ctx));
  root.addHelpText('after', footer);
  root.hook('preAction', (_root, running) => {
    ctx.running = commandPath(running);
    checkRequired(running);
  });
  // Every command ends through the same door: help exits 0, the rest as cli/errors.ts says.
  const settle = (command: CommandType) => {
    command.exitOverride().showHelpAfterError('(run with --help for the options)');
    command.commands.forEach(settle);
  };
  settle(root);
  return root;
}

async function main(argv: string[]): Promise<number> {
  const ctx = createContext();
  try {
    await program(ctx).parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    const described = describeError(err, ctx.running || 'tessera');
    if (!described) throw err;
    if (described.text !== undefined) console.error(described.text);
    return described.exit;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Not a refusal with a message of its own: a fault, shown whole so that it can be reported.
    console.error(err);
    process.exitCode = 1;
  },
);
