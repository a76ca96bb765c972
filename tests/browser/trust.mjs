// Chromium trusts the server's development certificate through its own NSS database, found under $HOME:
// the connection is verified as a customer's browser would verify a real certificate.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function trustingHome(certFile) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vocd-browser-home-'));
  const db = 'sql:' + path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(path.join(home, '.pki', 'nssdb'), { recursive: true });
  const pem = fs.readFileSync(certFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/);
  assert.ok(pem, `no certificate in ${certFile}`);
  const crt = path.join(home, 'dev-cert.crt');
  fs.writeFileSync(crt, pem[0] + '\n');
  execFileSync('certutil', ['-N', '-d', db, '--empty-password']);
  // "P": a trusted peer. The development certificate is self-signed and not a CA.
  execFileSync('certutil', ['-A', '-d', db, '-n', 'vocd-dev', '-t', 'P,,', '-a', '-i', crt]);
  return home;
}

// Without the background-networking flags chromium calls home, which this closed network refuses.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
