import { describe, expect, it } from "vitest";
import { en, zh } from "./messages";

// Every component's source, through Vite (no Node APIs needed in the UI's types).
const sources = import.meta.glob("../**/*.svelte", { query: "?raw", import: "default", eager: true }) as Record<
  string,
  string
>;

describe("messages", () => {
  it("has every key in both languages, none empty", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const [k, v] of Object.entries(en)) expect(v, k).not.toBe("");
    for (const [k, v] of Object.entries(zh)) expect(v, k).not.toBe("");
  });

  it("knows every key a screen asks for", () => {
    const used = new Set<string>();
    for (const src of Object.values(sources)) {
      for (const m of src.matchAll(/\bt\("([^"]+)"\)/g)) used.add(m[1]);
    }
    expect(Object.keys(sources).length).toBeGreaterThan(5);
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((k) => !(k in zh));
    expect(missing).toEqual([]);
  });
});
