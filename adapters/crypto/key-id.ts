import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK } from 'jose';

/** The RFC 7638 thumbprint of a public key: the `kid` of the JWKS, of every access token and of every checkpoint. */
export const keyId = async (publicKey: KeyObject): Promise<string> => calculateJwkThumbprint(await exportJWK(publicKey));
