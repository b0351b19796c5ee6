// Secrets at rest (signing keys, cookie keys, OTP seeds) are sealed with AES-256-GCM under the configured
// key-encryption key. The key id lets a rotated key open what the previous one sealed.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { TesseraError } from '../errors/index.ts';

export interface Sealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export class SealingError extends TesseraError<'store.unseal_failed'> {
  constructor(message: string) {
    super('store.unseal_failed', { message });
  }
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

// `context` is bound as additional data, so a sealed value moved to another row or purpose fails to open.
export function createSealer(current: Buffer, previous: Buffer[] = []): Sealer {
  const keys = new Map([current, ...previous].map((k) => [keyId(k), k]));
  const currentId = keyId(current);
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'v1',
        currentId,
        iv.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    open(sealed, context) {
      const [version, id, iv, body, tag] = sealed.split('.');
      const key = keys.get(id);
      if (version !== 'v1' || !key) throw new SealingError('sealed with an unknown key');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SealingError('sealed value does not open with this key and context');
      }
    },
  };
}
