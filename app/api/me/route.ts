// GET /api/me — who the dashboard takes the browser for: { user, groups, via, signOut, noSignIn }. For the
// header's signed-in indicator; never a token (the session cookie is HttpOnly and holds none).
import { apiRoute } from "@/lib/api/route";
import type { MeDto } from "@/lib/api/dto";
import { getAuthSettings } from "@/lib/env";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (_request, access): Promise<MeDto> => ({
  user: access.viewer.user,
  groups: access.viewer.groups,
  via: access.viewer.via,
  signOut: access.viewer.via === "oidc",
  noSignIn: getAuthSettings().unprotectedNetwork,
}));
