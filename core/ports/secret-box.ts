/** Authenticated encryption of TOTP seeds at rest (AES-256-GCM in the adapter). */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}
