import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import Provider, { type Configuration } from "oidc-provider";
import { findFreePort } from "./etcd-process";

// A real OpenID provider (the certified oidc-provider package) on a free loopback port, for the
// integration tests and e2e: two users in two groups, a login page that checks their passwords
// (with a cancel button, to refuse consent), and one confidential client whose redirect URI is the
// dashboard's under test.

export type TestUser = { username: string; password: string; email: string; groups: string[] };

export const TEST_USERS: readonly TestUser[] = [
  { username: "alice", password: "alice-password", email: "alice@example.test", groups: ["dev"] },
  { username: "bob", password: "bob-password", email: "bob@example.test", groups: ["ops"] },
];

export const TEST_CLIENT_ID = "etcdlens";
export const TEST_CLIENT_SECRET = "etcdlens-test-client-secret-0123456789";

export type OidcProviderOptions = {
  /** The dashboard's callback URL(s): `${ETCDLENS_PUBLIC_URL}/auth/callback`. */
  redirectUris: string[];
  /**
   * true (oidc-provider's default, and the specification's for the code flow): the ID token holds
   * only sub, profile and groups come from userinfo. false: they are in the ID token too.
   */
  claimsFromUserinfoOnly?: boolean;
  port?: number;
};

export type OidcProviderProcess = {
  issuer: string;
  port: number;
  /** The paths asked for so far ("/me" is userinfo), so a test can tell which endpoints a sign-in used. */
  requestedPaths: string[];
  stop: () => Promise<void>;
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function loginPage(uid: string, message?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head><body>
<h1>Sign in to the test provider</h1>${message ? `<p role="alert">${escapeHtml(message)}</p>` : ""}
<form method="post" action="/interaction/${uid}/login">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>
</body></html>`;
}

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProviderProcess> {
  const port = options.port ?? (await findFreePort());
  const issuer = `http://127.0.0.1:${port}`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        redirect_uris: options.redirectUris,
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], profile: ["preferred_username", "name"], email: ["email"], groups: ["groups"] },
    scopes: ["openid", "profile", "email", "groups"],
    conformIdTokenClaims: options.claimsFromUserinfoOnly ?? true,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ["etcdlens-test-provider-cookie-key"] },
    findAccount: async (_ctx, sub) => {
      const user = TEST_USERS.find((candidate) => candidate.username === sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, preferred_username: user.username, name: user.username, email: user.email, groups: user.groups }),
      };
    },
    // Consent is given with the login: the client is the deployment's own.
    loadExistingGrant: async (ctx) => {
      const session = ctx.oidc.session;
      const client = ctx.oidc.client;
      if (!session?.accountId || !client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ accountId: session.accountId, clientId: client.clientId });
      grant.addOIDCScope("openid profile email groups");
      grant.addOIDCClaims(["preferred_username", "email", "groups"]);
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  const handleOidc = provider.callback();

  const requestedPaths: string[] = [];
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    requestedPaths.push((request.url ?? "").split("?")[0]);
    const match = /^\/interaction\/([^/?]+)(\/login|\/abort)?$/.exec((request.url ?? "").split("?")[0]);
    if (!match) return handleOidc(request, response);
    const [, uid, action] = match;
    const details = await provider.interactionDetails(request, response);
    if (details.uid !== uid) throw new Error("interaction mismatch");
    if (request.method === "GET") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(loginPage(uid));
      return;
    }
    if (action === "/abort") {
      await provider.interactionFinished(
        request,
        response,
        { error: "access_denied", error_description: "the user cancelled the sign-in" },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const form = await formOf(request);
    const user = TEST_USERS.find((candidate) => candidate.username === form.get("username"));
    if (!user || user.password !== form.get("password")) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(loginPage(uid, "Wrong username or password."));
      return;
    }
    await provider.interactionFinished(request, response, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(`test provider error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    issuer,
    port,
    requestedPaths,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
