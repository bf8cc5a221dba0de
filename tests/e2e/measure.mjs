// Desktop figures for BENCHMARKS.md, in the real window under Xvfb: cold start to the
// first interactive screen, search-as-you-type through IPC on a large journal, and the
// idle memory of the whole app. Run by scripts/measure-desktop (not part of make test).
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ELEMENT, startSession, waitFor, wd } from "./wd.mjs";

const { APP } = process.env;
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const max = (v) => Math.max(...v);

/** Wall-clock start of a process, from /proc (boot time + start ticks). */
function startedAt(pid) {
  const btime = Number(/btime (\d+)/.exec(readFileSync("/proc/stat", "utf8"))[1]);
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticks = Number(fields[19]); // field 22 of stat: starttime, in clock ticks
  const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
  return btime * 1000 + (ticks * 1000) / hz;
}

function pids(pattern) {
  try {
    return execFileSync("pgrep", ["-f", pattern], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Proportional set size (shared pages split between sharers), in MB. */
function pssMb(pid) {
  try {
    const kb = Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))[1]);
    return kb / 1024;
  } catch {
    return 0;
  }
}

const driver = spawn("tauri-driver", ["--port", "4444"], { stdio: ["ignore", "inherit", "inherit"] });
try {
  const session = await startSession(APP);
  const s = `/session/${session.sessionId}`;
  const find = async (css) => (await wd("POST", `${s}/element`, { using: "css selector", value: css }))[ELEMENT];
  const text = async (css) => wd("GET", `${s}/element/${await find(css)}/text`);

  // Cold start: from the app process starting to the home screen showing the count.
  const total = await waitFor("home", async () => Number((await text("[data-testid=journal-total]")).replace(/\D/g, "")), 60000, 10);
  const shown = Date.now();
  const app = pids("target/.*/slipkeeper-desktop")[0];
  console.log(`cold start to the home screen: ${Math.round(shown - startedAt(app))} ms (journal of ${total} transactions)`);

  // Idle memory: the app and its WebKit processes, after ten quiet seconds on home.
  const memory = async (when) => {
    await sleep(10000);
    const procs = [app, ...pids("WebKitWebProcess"), ...pids("WebKitNetworkProcess")];
    const mb = procs.map(pssMb);
    console.log(`idle memory (PSS) ${when}: ${mb.reduce((a, b) => a + b, 0).toFixed(0)} MB in ${procs.length} processes (${mb.map((m) => m.toFixed(0)).join(" + ")})`);
  };
  await memory("on home, before any search");

  // Search-as-you-type: the query each input becomes, through the real IPC, timed in the page.
  const queries = {
    "voucher 250000": { search: "250000", limit: 100 },
    "RRN 600000246912": { search: "600000246912", limit: 100 },
    "amount 12.34": { search: "12.34", limit: 100 },
    "slip text 'UnionPay'": { search: "UnionPay", mode: "text", limit: 100 },
    "everything (no filter)": { limit: 100 },
  };
  for (const [name, query] of Object.entries(queries)) {
    const times = await wd("POST", `${s}/execute/async`, {
      script: `const [form, done] = arguments; (async () => { const out = []; for (let i = 0; i < 15; i++) { const t = performance.now(); await window.__TAURI_INTERNALS__.invoke("search_journal", { form }); out.push(performance.now() - t); } done(out); })();`,
      args: [query],
    });
    console.log(`search ${name}: median ${median(times).toFixed(1)} ms, max ${max(times).toFixed(1)} ms`);
  }

  await memory("after the searches");
  await wd("DELETE", s);
} finally {
  driver.kill();
}
