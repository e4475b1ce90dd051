/** Replacement shown wherever a secret would appear in output. */
export const MASK = "****";

/** Masks the password of a URL's userinfo (`scheme://user:secret@host` → `scheme://user:****@host`). */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/i, `$1:${MASK}@`);
}

/** Masks every URL password inside free text, such as an error message from a client library. */
export function maskSecretsInText(text: string, secrets: readonly string[] = []): string {
  let masked = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi, `$1:${MASK}@`);
  for (const secret of secrets) {
    if (secret.length >= 4) masked = masked.split(secret).join(MASK);
  }
  return masked;
}
