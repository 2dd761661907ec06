import "server-only";
import { getAuthSettings, getServerSettings } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { auditSubjectOf, recordAudit } from "@/lib/audit";
import {
  explainRefusal,
  ruleAllowingKey,
  seesAudit,
  seesCluster,
  visibilityOf,
  visibilityUnder,
  type AccessRule,
  type Right,
  type Visibility,
} from "./access-rules";
import { decodeViewer, VIEWER_HEADER } from "./viewer-header";
import { ANONYMOUS_LOOPBACK_VIEWER, type Viewer } from "./viewer";

// What one request may see, asked by its route handler before it reads etcd or the archive. With
// sign-in off (loopback only) everything is allowed, as before sign-in existed, and Secret values
// follow ETCDLENS_REVEAL_SECRETS; with sign-in on, the access rules decide and nothing is allowed
// that no rule grants.

export class RequestAccess {
  constructor(
    readonly viewer: Viewer,
    private readonly rules: readonly AccessRule[],
    /** False when sign-in is off: the rules are not applied. */
    readonly enforced: boolean,
    private readonly revealWithoutSignIn: boolean,
    /** The request, for the audit trail's entry of a refusal (who, from where). */
    private readonly request?: Request,
  ) {}

  // Every refusal under the rules is an entry of the audit trail; without sign-in there are no
  // rules to refuse by (a Secret value kept masked by ETCDLENS_REVEAL_SECRETS is no request refused).
  private refuse(message: string, scope: { cluster: string; key?: Uint8Array; prefix?: Uint8Array }): AppError {
    if (this.enforced) {
      const subject = this.request
        ? auditSubjectOf(this.request, this.viewer)
        : { user: this.viewer.user, groups: this.viewer.groups, via: this.viewer.via };
      recordAudit({ ...subject, ...scope, action: "denied", outcome: "denied", reason: message });
    }
    return new AppError("forbidden", message);
  }

  /** The access of a request the gate let through; a request it did not vouch for is refused. */
  static of(request: Request): RequestAccess {
    const auth = getAuthSettings();
    if (auth.mode === "none") {
      return new RequestAccess(ANONYMOUS_LOOPBACK_VIEWER, [], false, getServerSettings().revealSecrets);
    }
    const viewer = decodeViewer(request.headers.get(VIEWER_HEADER));
    if (!viewer) throw new AppError("unauthenticated", "not signed in");
    return new RequestAccess(viewer, auth.rules, true, false, request);
  }

  mayKey(cluster: string, key: Uint8Array, right: Right): boolean {
    if (!this.enforced) return right !== "reveal" || this.revealWithoutSignIn;
    return ruleAllowingKey(this.rules, this.viewer, cluster, key, right) !== undefined;
  }

  /**
   * Why this viewer may not reveal the Secret values of `key`, for the page to say, or null when
   * they may. Without sign-in it is the server's setting; with it, a rule (which one is not said:
   * the rules are the operator's, and the 403 of /api/secret names what is missing).
   */
  revealRefusal(cluster: string, key: Uint8Array): string | null {
    if (this.mayKey(cluster, key, "reveal")) return null;
    if (!this.enforced) return "The server reveals Secret values only when started with ETCDLENS_REVEAL_SECRETS=true.";
    return "No access rule gives you the reveal right on this key; ask the operator for one if you need its values.";
  }

  /** Refuses with a 403 naming the rule that would allow it. */
  requireKey(cluster: string, key: Uint8Array, right: Right): void {
    if (this.mayKey(cluster, key, right)) return;
    if (!this.enforced)
      throw new AppError("forbidden", "Secret values are hidden; start the server with ETCDLENS_REVEAL_SECRETS=true to show them");
    throw this.refuse(explainRefusal(this.viewer, cluster, key, right), { cluster, key });
  }

  /** How much under a prefix this request may see with `right` (see access-rules.ts). */
  under(cluster: string, prefix: Uint8Array, right: Right): Visibility {
    if (!this.enforced) return right !== "reveal" || this.revealWithoutSignIn ? { kind: "all" } : { kind: "none" };
    return visibilityUnder(this.rules, this.viewer, cluster, prefix, right);
  }

  /** Refuses a prefix of which nothing is visible (a partly visible one passes; its answer is filtered). */
  requireSomeUnder(cluster: string, prefix: Uint8Array, right: Right): Visibility {
    const visibility = this.under(cluster, prefix, right);
    if (visibility.kind === "none") throw this.refuse(explainRefusal(this.viewer, cluster, prefix, right), { cluster, prefix });
    return visibility;
  }

  /**
   * The test a listing applies to each key under `prefix` (changes, watch events, lease keys,
   * table rows), or undefined when every key under it passes. Call requireSomeUnder first.
   */
  keyFilter(cluster: string, prefix: Uint8Array, right: Right): ((key: Uint8Array) => boolean) | undefined {
    const visibility = this.under(cluster, prefix, right);
    if (visibility.kind === "all") return undefined;
    if (visibility.kind === "none") return () => false;
    return (key) => visibilityOf(visibility, key, false) === "all";
  }

  seesCluster(cluster: string): boolean {
    return !this.enforced || seesCluster(this.rules, this.viewer, cluster);
  }

  requireCluster(cluster: string): void {
    if (this.seesCluster(cluster)) return;
    throw this.refuse(`${this.viewer.user} has no access rule for cluster "${cluster}"`, { cluster });
  }

  seesAudit(): boolean {
    return !this.enforced || seesAudit(this.rules, this.viewer);
  }

  requireAudit(): void {
    if (!this.seesAudit())
      throw new AppError("forbidden", `${this.viewer.user} may not read the audit trail: no access rule grants "audit"`);
  }
}
