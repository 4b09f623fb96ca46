import { Decimal } from "@rigshift/economics";

/**
 * Reference rates, USD per unit, used only for a currency the scenario's `fx` leaves out, so a
 * scenario over a EUR or DKK trace runs without one. Rounded 2023–2025 averages (ECB reference
 * rates); the report names every currency priced this way. Give `fx` for exact books.
 */
export const REFERENCE_USD_PER_UNIT: Readonly<Record<string, string>> = {
  USD: "1",
  EUR: "1.08",
  DKK: "0.145",
  SEK: "0.095",
  NOK: "0.094",
  GBP: "1.27",
  CHF: "1.13",
  CAD: "0.73",
  AUD: "0.66",
  JPY: "0.0068",
  PLN: "0.25",
};

export const usdPerUnit = (currency: string, fx: Record<string, Decimal>, assumed: Record<string, string>): Decimal => {
  const given = fx[currency];
  if (given) return given;
  const reference = REFERENCE_USD_PER_UNIT[currency];
  if (!reference) throw new Error(`no USD rate for ${currency}: add it to the scenario's fx, e.g. "fx": {"${currency}": "0.1"}`);
  if (currency !== "USD") assumed[currency] = reference;
  return new Decimal(reference);
};
