// POST /auth/sign-out — ends the session: clears the cookie and shows the signed-out page. Only a
// form posted from this dashboard (its Origin) signs out; a GET, or a post from another site,
// could end someone's session behind their back.
import { getAuthSettings, getOidcSettings } from "@/lib/env";
import { clearCookie, readSessionViewer, SESSION_COOKIE } from "@/lib/auth/session";
import { signInPage } from "@/lib/auth/sign-in-page";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  if (getAuthSettings().mode !== "oidc")
    return signInPage(404, "Sign-in is off", "This dashboard does not sign people in (ETCDLENS_AUTH is not oidc).");
  const settings = getOidcSettings();
  if (!isFromDashboard(request, new URL(settings.publicUrl).origin)) {
    return signInPage(403, "Not signed out", "Sign-out is only accepted from the dashboard's own sign-out button.");
  }
  const viewer = await readSessionViewer(request.headers.get("cookie"), settings);
  if (viewer) recordAudit({ user: viewer.user, groups: viewer.groups, via: "oidc", action: "sign-out", outcome: "allowed" });
  const response = signInPage(200, "Signed out", "You are signed out of etcdlens.");
  response.headers.append("set-cookie", clearCookie(SESSION_COOKIE, settings));
  return response;
}

// The dashboard's pages send no referrer (Referrer-Policy: no-referrer), so Chromium posts their
// forms with "Origin: null"; Sec-Fetch-Site, which no page can set, then says where the form was.
function isFromDashboard(request: Request, publicOrigin: string): boolean {
  const origin = request.headers.get("origin");
  if (origin === publicOrigin) return true;
  return (origin === null || origin === "null") && request.headers.get("sec-fetch-site") === "same-origin";
}
