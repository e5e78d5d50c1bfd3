/** The claims of a JWT, read without verifying (the server verifies; the test only needs sid/jti/sub). */
export const jwtClaims = (token: string): { sub: string; sid: string; jti: string; aal: string; exp: number } =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
