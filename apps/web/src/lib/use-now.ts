"use client";

import { useEffect, useState } from "react";

/** A clock for "12 s ago": null during the server render and hydration, so both print the same. */
export const useNow = (everyMs = 5000) => {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
};
