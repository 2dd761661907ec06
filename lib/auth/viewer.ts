// Who is asking: the one shape every sign-in mode (OpenID Connect session, trusted proxy headers,
// bearer token) reduces a request to, and the only thing access rules and the audit trail look at.

export type SignInMethod = "none" | "oidc" | "proxy" | "token";

export type Viewer = {
  /** The user's name as the sign-in gave it (the OIDC subject's preferred name, the proxy's user header, the token's name). */
  user: string;
  groups: string[];
  via: SignInMethod;
};

/** The viewer when sign-in is off: everybody on loopback, allowed everything, as before sign-in existed. */
export const ANONYMOUS_LOOPBACK_VIEWER: Viewer = { user: "anonymous", groups: [], via: "none" };
