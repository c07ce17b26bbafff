// Session tokens (docs/interface/access.md): JWTs with sub, role, company_id, exp (required), iat. Signed
// HS256 with JWT_SECRET, or verified with JWT_PUBLIC_KEY for an outside identity provider.
// The algorithm is pinned; `none` and every other algorithm are refused.
import { ROLES, type Role, type Session } from '@live-calls/protocol';
import { SignJWT, importSPKI, jwtVerify, type CryptoKey, type KeyObject } from 'jose';

export const PUBLIC_KEY_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'ES256',
  'ES384',
  'EdDSA',
] as const;
export type PublicKeyAlgorithm = (typeof PUBLIC_KEY_ALGORITHMS)[number];

export type TokenKeys =
  | { kind: 'secret'; secret: Uint8Array }
  | { kind: 'public'; pem: string; algorithm: PublicKeyAlgorithm };

export class InvalidToken extends Error {
  override readonly name = 'InvalidToken';
}

export class TokenService {
  readonly #keys: TokenKeys;
  readonly #algorithm: string;
  #publicKey: Promise<CryptoKey | KeyObject> | undefined;
  /** Imported once: given raw bytes, jose imports the key again on every sign and verify. */
  #secretKey: Promise<CryptoKey> | undefined;

  constructor(keys: TokenKeys) {
    this.#keys = keys;
    this.#algorithm = keys.kind === 'secret' ? 'HS256' : keys.algorithm;
  }

  /** Local login can issue tokens only with a shared secret. */
  get canSign(): boolean {
    return this.#keys.kind === 'secret';
  }

  async sign(
    session: Omit<Session, 'exp'>,
    ttlS: number,
    nowS = Math.floor(Date.now() / 1000),
  ): Promise<{ token: string; exp: number }> {
    if (this.#keys.kind !== 'secret')
      throw new Error('tokens from an outside identity provider are not signed here');
    const exp = nowS + ttlS;
    const token = await new SignJWT({ role: session.role, company_id: session.company_id })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(session.sub)
      .setIssuedAt(nowS)
      .setExpirationTime(exp)
      .sign(await this.#key());
    return { token, exp };
  }

  /** The session a token carries; throws InvalidToken for anything not fully valid. */
  async verify(token: string): Promise<Session> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, await this.#key(), {
        algorithms: [this.#algorithm],
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw new InvalidToken(err instanceof Error ? err.message : 'invalid token');
    }
    return sessionFromClaims(payload);
  }

  #key(): Promise<CryptoKey | KeyObject> {
    if (this.#keys.kind === 'secret') {
      this.#secretKey ??= crypto.subtle.importKey(
        'raw',
        this.#keys.secret,
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign', 'verify'],
      );
      return this.#secretKey;
    }
    this.#publicKey ??= importSPKI(this.#keys.pem, this.#keys.algorithm);
    return this.#publicKey;
  }
}

export function sessionFromClaims(claims: Record<string, unknown>): Session {
  const { sub, role, exp } = claims;
  const company = claims.company_id ?? null;
  if (typeof sub !== 'string' || sub === '') throw new InvalidToken('sub missing');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
    throw new InvalidToken('bad role');
  if (typeof exp !== 'number') throw new InvalidToken('exp missing');
  if (company !== null && (typeof company !== 'string' || company === ''))
    throw new InvalidToken('bad company_id');
  if (role === 'user' && company === null) throw new InvalidToken('role user needs company_id');
  return { sub, role: role as Role, company_id: company, exp };
}
