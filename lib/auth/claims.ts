import type { Viewer } from "./viewer";

// What a signed-in user is called and which groups they are in, from the ID token's claims (and
// userinfo's when the token leaves the groups out, as Google and some Keycloak setups do).

type Claims = Record<string, unknown>;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The configured claim as a list: an array of names, or one string (comma- or space-separated lists stay one name each side). */
export function groupsFromClaim(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((group): group is string => typeof group === "string" && group !== "");
  if (typeof value === "string") return value === "" ? [] : [value];
  return undefined;
}

/** The user's name (preferred_username, else email, else sub) and groups from `groupsClaim`. */
export function viewerFromClaims(idToken: Claims, userinfo: Claims | undefined, groupsClaim: string): Viewer {
  const user =
    text(idToken.preferred_username) ??
    text(idToken.email) ??
    text(userinfo?.preferred_username) ??
    text(userinfo?.email) ??
    text(idToken.sub);
  if (!user) throw new Error("the ID token names no subject");
  const groups = groupsFromClaim(idToken[groupsClaim]) ?? groupsFromClaim(userinfo?.[groupsClaim]) ?? [];
  return { user, groups: [...new Set(groups)], via: "oidc" };
}

/** Whether the ID token lacks the groups claim, so userinfo is worth asking. */
export function lacksGroups(idToken: Claims, groupsClaim: string): boolean {
  return groupsFromClaim(idToken[groupsClaim]) === undefined;
}
