import Link from "next/link";

export default function NotFound() {
  return (
    <div className="p-8">
      <h1 className="text-lg font-semibold">Page not found</h1>
      <p className="mt-2 text-sm text-slate-600">
        etcdlens has no page here.{" "}
        <Link className="text-blue-700 underline" href="/keys">
          Browse the keys
        </Link>
        .
      </p>
    </div>
  );
}
