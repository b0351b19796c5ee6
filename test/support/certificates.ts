// A throwaway certificate authority for TLS tests (slapd, RadSec), made with the openssl command line.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
}
export interface TestCa {
  caFile: string;
  /** A leaf certificate signed by this CA, with the given CN and subjectAltName (e.g. `DNS:localhost,IP:127.0.0.1`). */
  issue(name: string, subjectAltName?: string): TestCertificate;
}

const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
// P-256 keys: made in milliseconds, unlike RSA, and every peer here speaks them.
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function createTestCa(dir: string, label: string): TestCa {
  const caKey = join(dir, `${label}-ca.key`);
  const caFile = join(dir, `${label}-ca.pem`);
  run([
    'req',
    '-x509',
    ...newKey,
    '-keyout',
    caKey,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    `/CN=Tessera Test CA ${label}`,
  ]);
  return {
    caFile,
    issue(name, subjectAltName) {
      const base = join(dir, `${label}-${name.replace(/[^a-z0-9.-]/gi, '_')}`);
      const [keyFile, csr, certFile, ext] = ['.key', '.csr', '.pem', '.ext'].map((suffix) => base + suffix);
      run(['req', ...newKey, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`]);
      writeFileSync(ext, subjectAltName ? `subjectAltName=${subjectAltName}\n` : '\n');
      run([
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caFile,
        '-CAkey',
        caKey,
        '-CAcreateserial',
        '-out',
        certFile,
        '-days',
        '2',
        '-extfile',
        ext,
      ]);
      return { certFile, keyFile };
    },
  };
}
