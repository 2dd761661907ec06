import "server-only";
import * as client from "openid-client";
import { getOidcSettings, type OidcSettings } from "@/lib/env";
import { lacksGroups, viewerFromClaims } from "./claims";
import type { SignInTransaction } from "./session";
import type { Viewer } from "./viewer";

// The relying party: openid-client does discovery, the authorization code flow with PKCE, and
// checks state, nonce and the ID token. Discovery is asked once per process (and issuer), and again after a
// failure (a provider that was down at the first sign-in).

export class SignInError extends Error {
  constructor(
    message: string,
    /** What the person can be told: the provider's refusal, a stale trip; never a stack. */
    readonly publicMessage: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const discovered = new Map<string, Promise<client.Configuration>>();

function discover(settings: OidcSettings): Promise<client.Configuration> {
  const known = discovered.get(settings.issuer.href);
  if (known) return known;
  const configuration = client
    .discovery(
      settings.issuer,
      settings.clientId,
      settings.clientSecret ? { client_secret: settings.clientSecret } : undefined,
      settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
      // A provider on plain http (a local Dex, the tests' provider) is the operator's choice.
      settings.issuer.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : undefined,
    )
    .catch((error: unknown) => {
      discovered.delete(settings.issuer.href);
      throw new SignInError(
        `OpenID discovery at ${settings.issuer.href} failed`,
        "the sign-in provider cannot be reached; try again shortly",
        {
          cause: error,
        },
      );
    });
  discovered.set(settings.issuer.href, configuration);
  return configuration;
}

/** The provider's authorization URL for a new trip, and the trip to remember in the transaction cookie. */
export async function startSignIn(
  next: string,
  settings: OidcSettings = getOidcSettings(),
): Promise<{ url: URL; transaction: SignInTransaction }> {
  const config = await discover(settings);
  const codeVerifier = client.randomPKCECodeVerifier();
  const transaction: SignInTransaction = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier, next };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirectUri,
    scope: settings.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state: transaction.state,
    nonce: transaction.nonce,
  });
  return { url, transaction };
}

/** Finishes the trip the provider sent back to `callbackQuery` (the callback's query string, "?code=…&state=…"). */
export async function finishSignIn(
  callbackQuery: string,
  transaction: SignInTransaction,
  settings: OidcSettings = getOidcSettings(),
): Promise<Viewer> {
  const config = await discover(settings);
  let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  try {
    tokens = await client.authorizationCodeGrant(config, new URL(`${settings.redirectUri}${callbackQuery}`), {
      pkceCodeVerifier: transaction.codeVerifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    if (error instanceof client.AuthorizationResponseError) {
      const why =
        error.error === "access_denied"
          ? "the sign-in was cancelled or refused at the provider"
          : `the provider refused the sign-in (${error.error})`;
      throw new SignInError(`authorization response error: ${error.error} ${error.error_description ?? ""}`, why, { cause: error });
    }
    if (error instanceof client.ResponseBodyError) {
      throw new SignInError(`token endpoint error: ${error.error}`, `the provider refused the sign-in (${error.error})`, { cause: error });
    }
    throw new SignInError(
      "the authorization response did not check out",
      "the sign-in could not be completed (its state or token did not check out)",
      {
        cause: error,
      },
    );
  }
  const claims = tokens.claims();
  if (!claims) throw new SignInError("no ID token", "the provider sent no ID token");
  let userinfo: Record<string, unknown> | undefined;
  if (lacksGroups(claims, settings.groupsClaim)) {
    try {
      userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    } catch (error) {
      // Groups are then empty, which the access rules answer with nothing: say so in the log.
      console.warn(`etcdlens: userinfo for ${claims.sub} failed, signing in without groups`, error);
    }
  }
  return viewerFromClaims(claims, userinfo, settings.groupsClaim);
}
