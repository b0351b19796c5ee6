// The device's serial number, read the way each OS gives it, falling back to the OS's own machine id where the
// firmware gives none (or only a placeholder). How it was read is kept in the vault and shown in About, and later
// reads use the same way: a serial read another way would be another device.
import { TokenError } from './errors.ts';

export type SerialSource = 'dmi' | 'machine-id' | 'bios' | 'machine-guid' | 'ioplatform' | 'test';

export interface SerialReading {
  serial: string;
  source: SerialSource;
  /** Where it came from, in words an IT person recognises (a path, a WMI class, a registry value). */
  how: string;
}

export interface SerialPorts {
  platform: string;
  readFile(path: string): Promise<string>;
  /** Runs a program (no shell) and gives its standard output. */
  run(command: string, args: string[]): Promise<string>;
  env: Record<string, string | undefined>;
  /** Whether TESSERA_DESKTOP_TEST_SERIAL is honoured: in tests and test builds only, never in a release build. */
  testSwitches: boolean;
}

/** The environment variable that stands in for the serial in tests (a second "device" on one machine). */
export const testSerialVariable = 'TESSERA_DESKTOP_TEST_SERIAL';

// Firmware fills an unset serial with words like these; they are the same on many PCs, so they are not a serial.
const placeholders = /^(|0+|none|default string|to be filled by o\.e\.m\.|system serial number|not specified|n\/a)$/i;
const usable = (value: string | undefined) => {
  const v = value?.replace(/\0/g, '').trim() ?? '';
  return placeholders.test(v) ? undefined : v;
};

type Reader = { source: SerialSource; how: string; read: (p: SerialPorts) => Promise<string | undefined> };

const firstLine = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');

const readers: Record<string, Reader[]> = {
  linux: [
    {
      source: 'dmi',
      how: '/sys/class/dmi/id/product_serial',
      read: async (p) => usable(await p.readFile('/sys/class/dmi/id/product_serial')),
    },
    {
      source: 'machine-id',
      how: '/etc/machine-id',
      read: async (p) => usable(await p.readFile('/etc/machine-id')),
    },
  ],
  win32: [
    {
      source: 'bios',
      how: 'Win32_BIOS.SerialNumber',
      read: async (p) => {
        try {
          const ps = ['-NoProfile', '-NonInteractive', '-Command', '(Get-CimInstance Win32_BIOS).SerialNumber'];
          return usable(firstLine(await p.run('powershell.exe', ps)));
        } catch {
          // Older Windows (and wine) have wmic instead of PowerShell's CIM cmdlets.
          const lines = (await p.run('wmic', ['bios', 'get', 'serialnumber'])).split(/\r?\n/).map((l) => l.trim());
          return usable(lines.filter((l) => l !== '' && !/^serialnumber$/i.test(l))[0]);
        }
      },
    },
    {
      source: 'machine-guid',
      how: 'HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid',
      read: async (p) => {
        const out = await p.run('reg', ['query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid']);
        return usable(/MachineGuid\s+REG_SZ\s+(\S+)/i.exec(out)?.[1]);
      },
    },
  ],
  darwin: [
    {
      source: 'ioplatform',
      how: 'IOPlatformExpertDevice.IOPlatformSerialNumber',
      read: async (p) =>
        usable(
          /"IOPlatformSerialNumber"\s*=\s*"([^"]*)"/.exec(
            await p.run('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']),
          )?.[1],
        ),
    },
  ],
};

/**
 * This device's serial. `expected` is the way it was read at registration: only that way is tried then, so a
 * firmware serial that became unreadable (another user, say) is an error rather than a silent switch of device.
 */
export async function readSerial(p: SerialPorts, expected?: string): Promise<SerialReading> {
  const test = p.testSwitches ? usable(p.env[testSerialVariable]) : undefined;
  if (test !== undefined) return { serial: test, source: 'test', how: `${testSerialVariable} (test build)` };
  const tried = (readers[p.platform] ?? []).filter((r) => expected === undefined || r.source === expected);
  for (const reader of tried) {
    const serial = await reader.read(p).catch(() => undefined);
    if (serial) return { serial, source: reader.source, how: reader.how };
  }
  throw new TokenError('serial.unreadable', { detail: expected ?? p.platform });
}
