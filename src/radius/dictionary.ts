// The standard attributes of RFC 2865 (authentication), RFC 2866 (accounting), RFC 2869 (extensions),
// RFC 3579 (EAP) and the packet codes of RFC 5997 (Status-Server), with their data types (RFC 8044 names):
//   text    UTF-8, 1–253 octets          string  binary, 1–253 octets
//   address IPv4, exactly 4 octets        integer unsigned 32-bit, exactly 4 octets
//   octets  binary with a fixed meaning (optionally a fixed length)

export type AttributeType = 'text' | 'string' | 'address' | 'integer' | 'octets' | 'vsa';

export interface AttributeDefinition {
  readonly code: number;
  readonly name: string;
  readonly type: AttributeType;
  /** Exact value length in octets, when the RFC fixes one. */
  readonly fixedLength?: number;
}

export const PacketCode = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  StatusClient: 13,
} as const;
export type PacketCodeValue = (typeof PacketCode)[keyof typeof PacketCode];

export const AttributeCode = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  ReplyMessage: 18,
  State: 24,
  VendorSpecific: 26,
  ProxyState: 33,
  AcctStatusType: 40,
  AcctSessionId: 44,
  EapMessage: 79,
  MessageAuthenticator: 80,
} as const;

const table: Array<[number, string, AttributeType, number?]> = [
  // RFC 2865 §5
  [1, 'User-Name', 'text'],
  [2, 'User-Password', 'string'],
  [3, 'CHAP-Password', 'octets', 17],
  [4, 'NAS-IP-Address', 'address'],
  [5, 'NAS-Port', 'integer'],
  [6, 'Service-Type', 'integer'],
  [7, 'Framed-Protocol', 'integer'],
  [8, 'Framed-IP-Address', 'address'],
  [9, 'Framed-IP-Netmask', 'address'],
  [10, 'Framed-Routing', 'integer'],
  [11, 'Filter-Id', 'text'],
  [12, 'Framed-MTU', 'integer'],
  [13, 'Framed-Compression', 'integer'],
  [14, 'Login-IP-Host', 'address'],
  [15, 'Login-Service', 'integer'],
  [16, 'Login-TCP-Port', 'integer'],
  [18, 'Reply-Message', 'text'],
  [19, 'Callback-Number', 'string'],
  [20, 'Callback-Id', 'string'],
  [22, 'Framed-Route', 'text'],
  [23, 'Framed-IPX-Network', 'integer'],
  [24, 'State', 'string'],
  [25, 'Class', 'string'],
  [26, 'Vendor-Specific', 'vsa'],
  [27, 'Session-Timeout', 'integer'],
  [28, 'Idle-Timeout', 'integer'],
  [29, 'Termination-Action', 'integer'],
  [30, 'Called-Station-Id', 'string'],
  [31, 'Calling-Station-Id', 'string'],
  [32, 'NAS-Identifier', 'string'],
  [33, 'Proxy-State', 'string'],
  [34, 'Login-LAT-Service', 'string'],
  [35, 'Login-LAT-Node', 'string'],
  [36, 'Login-LAT-Group', 'string'],
  [37, 'Framed-AppleTalk-Link', 'integer'],
  [38, 'Framed-AppleTalk-Network', 'integer'],
  [39, 'Framed-AppleTalk-Zone', 'string'],
  [60, 'CHAP-Challenge', 'string'],
  [61, 'NAS-Port-Type', 'integer'],
  [62, 'Port-Limit', 'integer'],
  [63, 'Login-LAT-Port', 'string'],
  // RFC 2866 §5
  [40, 'Acct-Status-Type', 'integer'],
  [41, 'Acct-Delay-Time', 'integer'],
  [42, 'Acct-Input-Octets', 'integer'],
  [43, 'Acct-Output-Octets', 'integer'],
  [44, 'Acct-Session-Id', 'text'],
  [45, 'Acct-Authentic', 'integer'],
  [46, 'Acct-Session-Time', 'integer'],
  [47, 'Acct-Input-Packets', 'integer'],
  [48, 'Acct-Output-Packets', 'integer'],
  [49, 'Acct-Terminate-Cause', 'integer'],
  [50, 'Acct-Multi-Session-Id', 'text'],
  [51, 'Acct-Link-Count', 'integer'],
  // RFC 2869 §5
  [52, 'Acct-Input-Gigawords', 'integer'],
  [53, 'Acct-Output-Gigawords', 'integer'],
  [55, 'Event-Timestamp', 'integer'],
  [70, 'ARAP-Password', 'octets', 16],
  [71, 'ARAP-Features', 'octets', 14],
  [72, 'ARAP-Zone-Access', 'integer'],
  [73, 'ARAP-Security', 'integer'],
  [74, 'ARAP-Security-Data', 'string'],
  [75, 'Password-Retry', 'integer'],
  [76, 'Prompt', 'integer'],
  [77, 'Connect-Info', 'text'],
  [78, 'Configuration-Token', 'string'],
  [84, 'ARAP-Challenge-Response', 'octets', 8],
  [85, 'Acct-Interim-Interval', 'integer'],
  [87, 'NAS-Port-Id', 'text'],
  [88, 'Framed-Pool', 'string'],
  // RFC 3579 §3 (EAP-Message is fragmented over several attributes; Message-Authenticator is HMAC-MD5)
  [79, 'EAP-Message', 'octets'],
  [80, 'Message-Authenticator', 'octets', 16],
];

// Lookup tables built once from the constant table above and never changed.
const definitions = table.map(
  ([code, name, type, fixedLength]): AttributeDefinition =>
    fixedLength === undefined ? { code, name, type } : { code, name, type, fixedLength },
);
const byCode: ReadonlyMap<number, AttributeDefinition> = new Map(definitions.map((d) => [d.code, d]));
const byName: ReadonlyMap<string, AttributeDefinition> = new Map(definitions.map((d) => [d.name.toLowerCase(), d]));

export function attributeByCode(code: number): AttributeDefinition | undefined {
  return byCode.get(code);
}

/** Names are matched without regard to case, as FreeRADIUS dictionaries do. */
export function attributeByName(name: string): AttributeDefinition | undefined {
  return byName.get(name.toLowerCase());
}

const packetNames = new Map<number, string>([
  [1, 'Access-Request'],
  [2, 'Access-Accept'],
  [3, 'Access-Reject'],
  [4, 'Accounting-Request'],
  [5, 'Accounting-Response'],
  [11, 'Access-Challenge'],
  [12, 'Status-Server'],
  [13, 'Status-Client'],
]);

export function packetCodeName(code: number): string {
  return packetNames.get(code) ?? `Unknown-Code-${code}`;
}
