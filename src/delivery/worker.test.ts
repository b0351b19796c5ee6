import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { manualClock } from '../clock/index.ts';
import { createOutbox, createSqlOutboxStore } from './index.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/support/databases.ts';
import { openStore, type Store } from '../store/index.ts';
import { startSmtpServer, type SmtpTestServer } from '../../test/support/smtp.ts';

const silent = pino({ level: 'silent' });
const storeModule = fileURLToPath(new URL('../store/index.ts', import.meta.url));
const deliveryModule = fileURLToPath(new URL('./index.ts', import.meta.url));

// A Tessera-like process: starts the worker, enqueues one mail, waits until it is sent, stops. It must then end on
// its own: a timer or connection left behind would keep it alive.
const childScript = `
import { openStore } from ${JSON.stringify(storeModule)};
import { createOutbox, createSqlOutboxStore } from ${JSON.stringify(deliveryModule)};
import { pino } from 'pino';
const store = openStore(process.env.DB_URL);
const outbox = createOutbox({
  store: createSqlOutboxStore(store.db), clock: { now: () => Date.now() }, transport: process.env.SMTP_URL,
  from: 'no-reply@example.com', pollMs: 50, maxAttempts: 3, logger: pino({ level: 'silent' }) });
outbox.start();
const id = await outbox.enqueue({ to: 'exit@example.com', subject: 'Bye', text: 'then exit' });
for (let i = 0; i < 200 && (await store.db.selectFrom('outbox').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status !== 'sent'; i++) {
  await new Promise((resolve) => setTimeout(resolve, 25));
}
await outbox.stop();
await store.close();
console.log('stopped');
`;

// Polls until the condition holds, failing after a bound: what a test waits for, never how long it takes.
async function eventually(condition: () => Promise<boolean>, boundMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + boundMs; !(await condition()); ) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function runToExit(
  env: Record<string, string>,
  boundMs: number,
): Promise<{ code: number | null; stdout: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', childScript], {
      cwd: process.cwd(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const bound = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, boundMs);
    child.on('exit', (code) => {
      clearTimeout(bound);
      resolve({ code, stdout, killed });
    });
  });
}

for (const dialect of await testDialects()) {
  describe(`mail worker on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let smtp: SmtpTestServer;
    before(async () => {
      database = await createTestDatabase(dialect);
      store = openStore(database.url);
      await store.migrate();
      smtp = await startSmtpServer();
    });
    after(async () => {
      await smtp.stop();
      await store.close();
      await database.drop();
    });

    const status = async (id: string) =>
      (await store.db.selectFrom('outbox').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    const outboxFor = () =>
      createOutbox({
        store: createSqlOutboxStore(store.db),
        clock: manualClock(),
        transport: smtp.url,
        from: 'no-reply@example.com',
        pollMs: 20,
        maxAttempts: 3,
        logger: silent,
      });

    it('sends mail enqueued while the worker runs, without anyone calling deliverDue', async () => {
      const outbox = outboxFor();
      outbox.start();
      outbox.start(); // a second start must not start a second loop
      try {
        const ids = await Promise.all(
          ['w1', 'w2', 'w3'].map((n) => outbox.enqueue({ to: `${n}@example.com`, subject: 'Worker', text: n })),
        );
        for (const n of ['w1', 'w2', 'w3']) await smtp.waitForMail((m) => m.to.includes(`${n}@example.com`), 10_000);
        for (const id of ids) await eventually(async () => (await status(id)) === 'sent');
      } finally {
        await outbox.stop();
      }
      for (const n of ['w1', 'w2', 'w3'])
        assert.equal(smtp.received.filter((m) => m.to.includes(`${n}@example.com`)).length, 1);
    });

    it('stop() waits for the delivery in progress, so a stopped node never leaves a mail half sent', async () => {
      const outbox = outboxFor();
      const held = smtp.hold();
      outbox.start();
      const id = await outbox.enqueue({ to: 'held@example.com', subject: 'Held', text: 'wait for me' });
      await held.arrived;
      let stopped = false;
      const stopping = outbox.stop().then(() => {
        stopped = true;
      });
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(stopped, false, 'stop() is still waiting for the relay');
      held.release();
      await stopping;
      assert.equal(await status(id), 'sent', 'the delivery finished and was recorded before stop() returned');
      const after = await outbox.enqueue({ to: 'after-stop@example.com', subject: 'Later', text: 'stays pending' });
      assert.equal(await status(after), 'pending', 'a stopped worker sends nothing, the mail waits in the outbox');
    });

    it('lets the process end after stop(): no timer or connection is left behind', async () => {
      const result = await runToExit({ DB_URL: database.url, SMTP_URL: smtp.url }, 20_000);
      assert.equal(result.killed, false, 'the process ended on its own');
      assert.equal(result.code, 0);
      assert.match(result.stdout, /stopped/);
      await smtp.waitForMail((m) => m.to.includes('exit@example.com'), 5_000);
    });
  });
}
