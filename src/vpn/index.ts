// The VPN login's application rules: the ports radius/vpn-login.ts asks, answered by identity, OTP and policy.
export { createVpnPorts, type VpnPorts, type VpnPortsDeps } from './ports.ts';
