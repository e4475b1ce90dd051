/** Replacement shown wherever a secret would appear in output. */
export const MASK = "****";

/**
 * `scheme://user:password@` — the password runs greedily up to the LAST `@` before the host, so a password
 * containing `@` (valid in .env, and accepted by most clients unencoded) is masked whole.
 */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s]*):[^/?#\s]*@/gi;

/** Masks the password of a URL's userinfo (`scheme://user:secret@host` → `scheme://user:****@host`). */
export function maskUrl(url: string): string {
  return url.replace(new RegExp(`^${URL_USERINFO.source}`, "i"), `$1:${MASK}@`);
}

/** Masks every URL password inside free text, such as an error message from a client library. */
export function maskSecretsInText(text: string, secrets: readonly string[] = []): string {
  // Known secrets first: a URL pattern can only guess where a password ends.
  let masked = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4) masked = masked.split(secret).join(MASK);
  }
  return masked.replace(URL_USERINFO, `$1:${MASK}@`);
}
