/**
 * Bearer-token check. Tokens are compared as SHA-256 digests with crypto.timingSafeEqual
 * (equal lengths, no early exit), against every configured token, so timing reveals neither
 * the token nor which one matched.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export type TokenCheck = (authorization: string | undefined) => boolean;

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Returns undefined when no tokens are configured (the server is open). */
export function makeTokenCheck(tokens: readonly string[]): TokenCheck | undefined {
  if (tokens.length === 0) return undefined;
  const digests = tokens.map(digest);
  return (authorization) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
    // Hash something even without a token so the work done does not depend on the header.
    const presented = digest(match?.[1] ?? "");
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(presented, d) || ok;
    return ok && match !== null;
  };
}
