// The web console (/console) for IT support and administrators: a web face on the admin service, as the CLI is.
// Signed in through Tessera itself, always with the one-time code; its own short-lived session; CSRF on every form.
import type { FastifyInstance } from 'fastify';
import { registerConsoleAdmin } from './admin-routes.ts';
import { registerConsoleAudit } from './audit.ts';
import { registerConsoleHelpdeskActions } from './helpdesk-actions.ts';
import { registerConsoleImport } from './import.ts';
import { createConsoleKit, type ConsoleOptions } from './kit.ts';
import { registerConsolePeople } from './people.ts';
import { registerConsolePersonActions } from './person-actions.ts';
import { registerConsoleSetup } from './setup.ts';
import { registerConsoleSignIn } from './sign-in.ts';

export { consoleClientId, type ConsoleOptions } from './kit.ts';

export function registerConsole(app: FastifyInstance, o: ConsoleOptions): void {
  const kit = createConsoleKit(o);
  registerConsoleSignIn(app, kit);
  registerConsoleSetup(app, kit);
  registerConsolePeople(app, kit);
  registerConsolePersonActions(app, kit);
  registerConsoleHelpdeskActions(app, kit);
  registerConsoleAudit(app, kit);
  registerConsoleAdmin(app, kit);
  // Its own plugin scope: the multipart parser it registers serves only the import.
  app.register((scope) => registerConsoleImport(scope, kit));
}
