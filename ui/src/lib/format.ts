import { locale, t } from "./i18n.svelte";
import type { Money } from "./types";

const EXPONENT: Record<string, number> = { JPY: 0, KRW: 0 };

/** "12.50 元" (Chinese) or "RMB 12.50": integer minor units to text, without floating
 * point, as the core's own Chinese and English sentences write money. */
export function formatMoney(m: Money): string {
  const exp = EXPONENT[m.currency] ?? 2;
  const sign = m.minor < 0 ? "-" : "";
  const digits = Math.abs(m.minor).toString().padStart(exp + 1, "0");
  const major = exp === 0 ? digits : `${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
  if (m.currency === "CNY") return locale.lang === "zh" ? `${sign}${major} 元` : `RMB ${sign}${major}`;
  return `${m.currency} ${sign}${major}`;
}

/** "还剩 7 天" / "已逾期 2 天" from a case's days left (negative: overdue). */
export function daysLeft(n: number): string {
  return n < 0 ? t("cases.overdueN").replace("{n}", String(-n)) : t("cases.leftN").replace("{n}", String(n));
}

/** An instant (RFC 3339, UTC) as the shop's wall clock: "2026-12-03 04:31", 24-hour. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
