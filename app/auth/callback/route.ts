// GET /auth/callback?code=&state= — the provider's answer: checks it against the trip's cookie
// (state, nonce, PKCE), sets the session cookie and returns to `next` exactly as it was asked for.
// A refusal at the provider, a stale or foreign trip: a page saying so, with a way to start again.
import { getAuthSettings, getOidcSettings } from "@/lib/env";
import { finishSignIn, SignInError } from "@/lib/auth/oidc";
import { clearCookie, createSessionCookie, readTransaction, TRANSACTION_COOKIE } from "@/lib/auth/session";
import { signInPage } from "@/lib/auth/sign-in-page";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  if (getAuthSettings().mode !== "oidc")
    return signInPage(404, "Sign-in is off", "This dashboard does not sign people in (ETCDLENS_AUTH is not oidc).");
  const settings = getOidcSettings();
  const transaction = await readTransaction(request.headers.get("cookie"));
  const clearTransaction = clearCookie(TRANSACTION_COOKIE, settings);
  if (!transaction) {
    const response = signInPage(400, "Sign-in expired", "This sign-in was not started here or took too long. Start it again.");
    response.headers.append("set-cookie", clearTransaction);
    return response;
  }
  const queryStart = request.url.indexOf("?");
  try {
    const viewer = await finishSignIn(queryStart < 0 ? "" : request.url.slice(queryStart), transaction, settings);
    recordAudit({ user: viewer.user, groups: viewer.groups, via: "oidc", action: "sign-in", outcome: "allowed" });
    const headers = new Headers({ location: `${settings.publicUrl}${transaction.next}`, "cache-control": "no-store" });
    headers.append("set-cookie", clearTransaction);
    headers.append("set-cookie", await createSessionCookie(viewer, settings));
    return new Response(null, { status: 303, headers });
  } catch (error) {
    if (!(error instanceof SignInError)) throw error;
    console.warn("etcdlens: sign-in failed:", error.message);
    recordAudit({ user: "unknown", groups: [], via: "oidc", action: "sign-in", outcome: "failed", reason: error.publicMessage });
    const response = signInPage(401, "Sign-in failed", error.publicMessage, transaction.next);
    response.headers.append("set-cookie", clearTransaction);
    return response;
  }
}
