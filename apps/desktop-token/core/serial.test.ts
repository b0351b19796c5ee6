import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSerial, type TokenError, type SerialPorts } from './index.ts';

const missing = async () => {
  throw Object.assign(new Error('missing'), { code: 'ENOENT' });
};
const ports = (o: Partial<SerialPorts>): SerialPorts => ({
  platform: 'linux',
  env: {},
  testSwitches: false,
  readFile: missing,
  run: missing,
  ...o,
});

describe('reading the serial number', () => {
  it('Linux: the firmware serial, else machine-id when unreadable or a placeholder', async () => {
    const files: Record<string, string> = { '/sys/class/dmi/id/product_serial': 'PF2ABCDE\n' };
    const readFile = async (path: string) => files[path] ?? missing();
    assert.deepEqual(await readSerial(ports({ readFile })), {
      serial: 'PF2ABCDE',
      source: 'dmi',
      how: '/sys/class/dmi/id/product_serial',
    });
    files['/etc/machine-id'] = '0123456789abcdef0123456789abcdef\n';
    for (const placeholder of ['To be filled by O.E.M.', 'Default string', '0000000', '  \n']) {
      files['/sys/class/dmi/id/product_serial'] = placeholder;
      const r = await readSerial(ports({ readFile }));
      assert.deepEqual([r.serial, r.source], ['0123456789abcdef0123456789abcdef', 'machine-id'], placeholder);
    }
    delete files['/sys/class/dmi/id/product_serial'];
    assert.equal((await readSerial(ports({ readFile }))).source, 'machine-id');
  });

  it('Windows: Win32_BIOS through PowerShell, then wmic, then MachineGuid', async () => {
    const answers: Record<string, string | undefined> = {
      'powershell.exe': 'R90XYZ12\r\n',
      wmic: 'SerialNumber  \r\nR90WMIC1  \r\n\r\n',
      reg: '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\r\n    MachineGuid    REG_SZ    5f1c-77aa\r\n',
    };
    const run = async (command: string) => answers[command] ?? missing();
    const win = (o: Partial<SerialPorts> = {}) => ports({ platform: 'win32', run, ...o });
    assert.deepEqual(await readSerial(win()), { serial: 'R90XYZ12', source: 'bios', how: 'Win32_BIOS.SerialNumber' });
    answers['powershell.exe'] = undefined;
    assert.equal((await readSerial(win())).serial, 'R90WMIC1');
    answers.wmic = 'SerialNumber\r\nDefault string\r\n';
    assert.deepEqual(await readSerial(win()), {
      serial: '5f1c-77aa',
      source: 'machine-guid',
      how: 'HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid',
    });
  });

  it('macOS: IOPlatformSerialNumber from ioreg', async () => {
    const out = '+-o J314sAP  <class IOPlatformExpertDevice>\n    "IOPlatformSerialNumber" = "C02XK1ABCDEF"\n';
    const r = await readSerial(ports({ platform: 'darwin', run: async () => out }));
    assert.deepEqual([r.serial, r.source], ['C02XK1ABCDEF', 'ioplatform']);
  });

  it('says so when nothing gives a serial', async () => {
    await assert.rejects(readSerial(ports({})), (e: TokenError) => e.code === 'serial.unreadable');
    await assert.rejects(readSerial(ports({ platform: 'aix' })), (e: TokenError) => e.code === 'serial.unreadable');
  });

  it('honours the test serial only where test switches are on (a release build never)', async () => {
    const env = { TESSERA_DESKTOP_TEST_SERIAL: 'SECOND-PC' };
    const readFile = async () => 'PF2ABCDE';
    assert.equal((await readSerial(ports({ env, readFile, testSwitches: true }))).source, 'test');
    assert.equal((await readSerial(ports({ env, readFile, testSwitches: false }))).serial, 'PF2ABCDE');
  });

  it('reads this machine for real', async (t) => {
    if (process.platform !== 'linux') return t.skip('Linux only');
    const { readFile } = await import('node:fs/promises');
    const r = await readSerial(ports({ readFile: (p) => readFile(p, 'utf8') }));
    assert.ok(['dmi', 'machine-id'].includes(r.source));
    assert.ok(r.serial.length > 0);
  });
});
