// The shapes that cross IPC, generated from the Rust DTOs into types.generated.ts by
// crates/app/tests/app/ts_types.rs (ts-rs): change the Rust type and regenerate, never
// edit them here.
export type * from "./types.generated";
