import type { Metadata } from "next";
import type { ReactNode } from "react";
import { ClusterHeader } from "@/components/cluster/cluster-header";
import { ThemeScript } from "@/components/theme/theme-script";
import { Providers } from "./providers";
import "./globals.css";

// Every page reads the `cluster` parameter of its URL and data that changes by the second: none
// is prerendered.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "etcdlens",
  description: "Explore what etcd stores and how it changed",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The theme script sets a class on <html> before React hydrates it.
    <html lang="en" suppressHydrationWarning>
      <head>
        <ThemeScript />
      </head>
      <body className="flex h-full flex-col">
        <Providers>
          <ClusterHeader />
          <main className="min-h-0 flex-1">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
