"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export const NavLink = ({ href, children, testId }: { href: string; children: React.ReactNode; testId?: string }) => {
  const path = usePathname();
  const active = href === "/" ? path === "/" || path.startsWith("/gpus") : path.startsWith(href);
  return (
    <Link
      href={href}
      data-testid={testId}
      className={`rounded px-2 py-1 text-sm ${active ? "bg-slate-800 text-slate-100" : "text-slate-400 hover:text-slate-100"}`}
    >
      {children}
    </Link>
  );
};
