// GET /auth/sign-in?next=<path> — starts the OpenID Connect trip: remembers state, nonce, PKCE
// verifier and `next` in an encrypted cookie and sends the browser to the provider. `next` must be
// a path on this dashboard (lib/auth/next-path.ts); anything else is refused, not followed.
import { getAuthSettings } from "@/lib/env";
import { safeNextPath } from "@/lib/auth/next-path";
import { SignInError, startSignIn } from "@/lib/auth/oidc";
import { createTransactionCookie } from "@/lib/auth/session";
import { signInPage } from "@/lib/auth/sign-in-page";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  if (getAuthSettings().mode !== "oidc")
    return signInPage(404, "Sign-in is off", "This dashboard does not sign people in (ETCDLENS_AUTH is not oidc).");
  const given = new URL(request.url).searchParams.get("next");
  const next = given === null || given === "" ? "/" : safeNextPath(given);
  if (next === undefined)
    return signInPage(400, "Not a link to this dashboard", "The sign-in link names a page elsewhere; it is not followed.");
  try {
    const { url, transaction } = await startSignIn(next);
    return new Response(null, {
      status: 303,
      headers: { location: url.href, "set-cookie": await createTransactionCookie(transaction), "cache-control": "no-store" },
    });
  } catch (error) {
    if (!(error instanceof SignInError)) throw error;
    console.error("etcdlens: sign-in could not start:", error.message, error.cause);
    return signInPage(502, "Sign-in unavailable", error.publicMessage, next);
  }
}
