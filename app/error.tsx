"use client";

// The last line of defence: a message and a retry, never a stack trace.
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <div role="alert" className="p-8">
      <h1 className="text-lg font-semibold">Something went wrong showing this page</h1>
      <p className="mt-2 text-sm text-slate-600">The server log has the details.</p>
      <button type="button" className="mt-4 rounded border border-slate-300 bg-white px-3 py-1 text-sm" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
