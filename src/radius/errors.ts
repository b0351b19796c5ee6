// Every RADIUS failure is a typed error with a stable `code`. No error ever carries a shared secret,
// a password (hidden or clear) or an authenticator value.

import { TesseraError } from '../errors/index.ts';

export type RadiusErrorCode =
  | 'radius.truncated'
  | 'radius.bad_length'
  | 'radius.too_long'
  | 'radius.bad_attribute'
  | 'radius.bad_value'
  | 'radius.bad_password'
  | 'radius.unknown_attribute'
  | 'radius.bad_decision'
  | 'radius.config_invalid'
  | 'radius.port_in_use'
  | 'radius.client_invalid'
  | 'radius.client_exists'
  | 'radius.client_unknown';

export class RadiusError extends TesseraError<RadiusErrorCode> {
  constructor(code: RadiusErrorCode, message: string) {
    super(code, { message });
    this.name = 'RadiusError';
  }
}

/** A datagram that is not a well-formed RADIUS packet; the server drops it (RFC 2865 §3 "silently discarded"). */
export class RadiusDecodeError extends RadiusError {
  constructor(
    code: Extract<
      RadiusErrorCode,
      | 'radius.truncated'
      | 'radius.bad_length'
      | 'radius.too_long'
      | 'radius.bad_attribute'
      | 'radius.bad_value'
      | 'radius.bad_password'
    >,
    message: string,
  ) {
    super(code, message);
    this.name = 'RadiusDecodeError';
  }
}

/** A packet or attribute that cannot be built: a programming error in the caller, never sent half-built. */
export class RadiusEncodeError extends RadiusError {
  constructor(
    code: Extract<
      RadiusErrorCode,
      'radius.bad_value' | 'radius.too_long' | 'radius.unknown_attribute' | 'radius.bad_decision'
    >,
    message: string,
  ) {
    super(code, message);
    this.name = 'RadiusEncodeError';
  }
}

/** Invalid server configuration; the message names the key (STYLE.md rule 7) but never a secret's value. */
export class RadiusConfigError extends RadiusError {
  /** `problems`: each key under `radius.` with what is wrong with it. */
  constructor(problems: ReadonlyArray<{ key: string; problem: string }>) {
    super(
      'radius.config_invalid',
      `Invalid RADIUS configuration:\n${problems.map((p) => `  radius.${p.key}: ${p.problem}`).join('\n')}`,
    );
    this.name = 'RadiusConfigError';
  }
}

/**
 * A port another program holds (a FreeRADIUS already on 1812, a second Tessera): a conflict, not a wrong setting.
 * `key` is the setting under `radius.` that chose the port.
 */
export class RadiusPortError extends RadiusError {
  readonly key: 'port' | 'accountingPort' | 'radsec.port';
  readonly host: string;
  readonly port: number;
  constructor(key: RadiusPortError['key'], host: string, port: number) {
    super(
      'radius.port_in_use',
      `radius.${key}: ${host}:${port} is in use by another program (another RADIUS server?): ` +
        'stop it or choose another port',
    );
    this.name = 'RadiusPortError';
    this.key = key;
    this.host = host;
    this.port = port;
  }
}

/** An operator's change to the NAS clients that cannot be made; the message names the field, never the secret. */
export class RadiusClientError extends RadiusError {
  constructor(
    code: Extract<RadiusErrorCode, 'radius.client_invalid' | 'radius.client_exists' | 'radius.client_unknown'>,
    message: string,
  ) {
    super(code, message);
    this.name = 'RadiusClientError';
  }
}
