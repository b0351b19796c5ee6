// A service provider people really run, from Debian: Apache httpd with mod_auth_mellon (libapache2-mod-auth-mellon),
// over HTTPS on a free port of 127.0.0.1, with its own configuration in a temporary folder (the system's Apache is left alone).
// /private/whoami is protected by mellon and prints what the app sees (the MELLON_* variables).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { createTestCa, type TestCertificate } from './certificates.ts';
import { freePort, type RunningTessera } from './tessera.ts';
import { spSigningKey } from './saml.ts';

const apache = '/usr/sbin/apache2';
const modules = '/usr/lib/apache2/modules';

export interface MellonSp {
  url: string;
  entityId: string;
  metadata: string;
  stop(): Promise<void>;
  errorLog(): string;
}

function spMetadata(url: string, entityId: string, certificate: string): string {
  const body = certificate.replace(/-----[^-]+-----|\s/g, '');
  return `<?xml version="1.0"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>
    <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${url}/mellon/logout"/>
    <AssertionConsumerService index="0" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${url}/mellon/postResponse"/>
  </SPSSODescriptor>
</EntityDescriptor>
`;
}

function httpdConf(dir: string, port: number, tls: TestCertificate): string {
  return `ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/httpd.pid
DefaultRuntimeDir ${dir}
Mutex file:${dir} default
ErrorLog ${dir}/error.log
LogLevel warn auth_mellon:info
LoadModule mpm_event_module ${modules}/mod_mpm_event.so
LoadModule authz_core_module ${modules}/mod_authz_core.so
LoadModule authn_core_module ${modules}/mod_authn_core.so
LoadModule authz_user_module ${modules}/mod_authz_user.so
LoadModule alias_module ${modules}/mod_alias.so
LoadModule cgid_module ${modules}/mod_cgid.so
LoadModule auth_mellon_module ${modules}/mod_auth_mellon.so
LoadModule socache_shmcb_module ${modules}/mod_socache_shmcb.so
LoadModule ssl_module ${modules}/mod_ssl.so
SSLEngine on
SSLCertificateFile ${tls.certFile}
SSLCertificateKeyFile ${tls.keyFile}
SSLSessionCache shmcb:${dir}/ssl_scache(512000)
ScriptSock ${dir}/cgid.sock
User www-data
Group www-data
DocumentRoot ${dir}
ScriptAlias /private/whoami ${dir}/whoami.cgi
<Location />
  Require all granted
  MellonEnable info
  MellonSPPrivateKeyFile ${dir}/sp.key
  MellonSPCertFile ${dir}/sp.pem
  MellonSPMetadataFile ${dir}/sp-metadata.xml
  MellonIdPMetadataFile ${dir}/idp-metadata.xml
  MellonEndpointPath /mellon
  MellonSecureCookie On
</Location>
<Location /private>
  AuthType Mellon
  MellonEnable auth
  Require valid-user
</Location>
`;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
      .once('connect', () => {
        socket.destroy();
        resolve(true);
      })
      .once('error', () => resolve(false));
  });

async function waitFor(port: number, child: ChildProcess, dir: string, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (await listening(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const log = existsSync(`${dir}/error.log`) ? readFileSync(`${dir}/error.log`, 'utf8') : '';
  throw new Error(`Apache with mod_auth_mellon did not start:\n${stderr()}\n${log}`);
}

/** Starts Apache + mod_auth_mellon trusting Tessera's metadata, and adds it to Tessera from its own metadata. */
export async function startMellon(tessera: RunningTessera, settings: Record<string, unknown> = {}): Promise<MellonSp> {
  if (!existsSync(`${modules}/mod_auth_mellon.so`) || !existsSync(apache)) {
    throw new Error('mod_auth_mellon not found: install the Debian packages apache2 and libapache2-mod-auth-mellon');
  }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-mellon-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  // HTTPS: mod_auth_mellon's cookies are SameSite=None, which Chromium keeps only when Secure. On 127.0.0.1, not
  // localhost: mellon names its cookie domain after the host, and Chromium refuses Domain=localhost.
  const url = `https://127.0.0.1:${port}`;
  const tls = createTestCa(dir, 'mellon').issue('127.0.0.1', 'IP:127.0.0.1');
  const entityId = `${url}/mellon/metadata`;
  const key = spSigningKey('mellon');
  const metadata = spMetadata(url, entityId, key.certificate);
  writeFileSync(join(dir, 'sp.key'), key.privateKey);
  writeFileSync(join(dir, 'sp.pem'), key.certificate);
  writeFileSync(join(dir, 'sp-metadata.xml'), metadata);
  writeFileSync(join(dir, 'idp-metadata.xml'), await (await fetch(`${tessera.url}/saml/metadata`)).text());
  writeFileSync(
    join(dir, 'whoami.cgi'),
    '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\n"\nenv | grep ^MELLON_ | sort\n',
    { mode: 0o755 },
  );
  writeFileSync(join(dir, 'httpd.conf'), httpdConf(dir, port, tls));
  await tessera.saml.providers.add({ metadata, name: 'Team wiki (mellon)', settings: settings as never });
  const child = spawn(apache, ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  await waitFor(port, child, dir, () => stderr);
  return {
    url,
    entityId,
    metadata,
    errorLog: () => (existsSync(`${dir}/error.log`) ? readFileSync(`${dir}/error.log`, 'utf8') : ''),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
