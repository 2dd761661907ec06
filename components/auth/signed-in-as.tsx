"use client";

import { useQuery } from "@tanstack/react-query";
import { meQuery } from "@/lib/queries/me";

// Who is signed in, in the header, with the way out. Nothing when sign-in is off on loopback; a
// plain "no sign-in" when the operator serves the network without one (ETCDLENS_AUTH=none-i-know),
// so nobody mistakes it for a protected deployment. Sign-out is a form POST (the server checks its
// Origin): a link could be followed by another site.
export function SignedInAs() {
  const me = useQuery(meQuery());
  if (me.data?.via === "none" && me.data.noSignIn) {
    return (
      <span
        className="rounded border border-amber-400 bg-amber-50 px-2 py-0.5 text-xs font-semibold text-amber-900"
        title="This dashboard is served beyond loopback without sign-in (ETCDLENS_AUTH=none-i-know): anyone who reaches it sees what it shows"
      >
        no sign-in
      </span>
    );
  }
  if (!me.data || me.data.via === "none") return null;
  const groups = me.data.groups.length > 0 ? ` (${me.data.groups.join(", ")})` : "";
  return (
    <div className="flex items-center gap-2 text-xs text-slate-600">
      <span title={`signed in via ${me.data.via}${groups}`}>
        Signed in as <strong className="font-semibold text-slate-900">{me.data.user}</strong>
      </span>
      {me.data.signOut ? (
        <form method="post" action="/auth/sign-out">
          <button
            type="submit"
            className="rounded border border-slate-300 px-2 py-0.5 text-slate-700 hover:border-blue-700 hover:text-blue-700"
          >
            Sign out
          </button>
        </form>
      ) : null}
    </div>
  );
}
