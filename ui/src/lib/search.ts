// The journal screen's search modes. What a typed search means (the field it guesses,
// dates, amounts, numbers) is read by the core (crates/app/src/forms.rs), for the
// window and the CLI alike; the screen sends the form as typed.
import type { SearchMode } from "./types";

export type Mode = SearchMode;
export const MODES: Mode[] = ["auto", "voucher", "rrn", "auth", "last4", "amount", "text"];
