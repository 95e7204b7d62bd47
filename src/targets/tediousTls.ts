/**
 * `encrypt: true` in tedious means "ask for TLS", not "require it": in tedious 19
 * (lib/connection.js, `performTlsNegotiation`) TLS is started only when the server's PRELOGIN
 * answer says ENCRYPT_ON or ENCRYPT_REQ; an answer of ENCRYPT_NOT_SUP or ENCRYPT_OFF skips TLS
 * and `sendLogin7Packet` then sends the LOGIN7 packet, password included, in clear. Anyone
 * between us and the server can answer PRELOGIN that way (the TDS spec, MS-TDS 2.2.6.5, has the
 * client end the connection instead; SqlClient does). tedious offers no option or hook for it,
 * so the one method that sends the login is wrapped: with `encrypt: true` it refuses to send it
 * on a connection where TLS was not negotiated, and the connection fails with EENCRYPT before
 * any credential leaves. `encrypt: 'strict'` (TDS 8) wraps the socket in TLS before PRELOGIN
 * and needs nothing here; `false` is left as tedious has it.
 *
 * Checked against tedious 19.2 (package.json pins ^19); test/integration/targets/
 * sqlServerTlsDowngrade.test.ts fails if a tedious release renames the methods or the flag.
 */

interface TediousConnectionInternals {
  config: { options: { encrypt: boolean | 'strict' } };
  messageIo: { tlsNegotiationComplete: boolean };
  sendLogin7Packet(): void;
}

let installed = false;

/** Makes every tedious connection of this process with `encrypt: true` refuse to log in without TLS. Idempotent. */
export function requireTlsBeforeLogin(): void {
  if (installed) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tedious = require('tedious') as typeof import('tedious');
  const proto = tedious.Connection.prototype as unknown as TediousConnectionInternals;
  const sendLogin7Packet = proto.sendLogin7Packet;
  if (typeof sendLogin7Packet !== 'function') throw new Error('tedious no longer has Connection.sendLogin7Packet: the TLS requirement cannot be enforced.');
  proto.sendLogin7Packet = function (this: TediousConnectionInternals) {
    if (this.config.options.encrypt === true && !this.messageIo.tlsNegotiationComplete) {
      throw new tedious.ConnectionError('The server did not negotiate TLS (its PRELOGIN answer declined encryption); no login was sent. SQLSERVER_ENCRYPT=true requires TLS.', 'EENCRYPT');
    }
    sendLogin7Packet.call(this);
  };
  installed = true;
}
