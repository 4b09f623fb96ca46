import type { Metadata } from "next";
import { Providers } from "@/modules/shell/providers";
import "./globals.css";

export const metadata: Metadata = { title: "Rigshift", description: "GPU fleet: hashing and AI work" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" className="dark">
      <body className="min-h-screen bg-slate-950 text-slate-200 antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
