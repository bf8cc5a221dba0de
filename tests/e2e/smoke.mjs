// Drives the real Slipkeeper window through tauri-driver (W3C WebDriver), with no
// client library: fetch is enough for the handful of endpoints used here.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const DRIVER = "http://127.0.0.1:4444";
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const { APP, ARTIFACTS } = process.env;
let passed = 0;
let failed = 0;

async function wd(method, path, body) {
  const res = await fetch(DRIVER + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

async function waitFor(what, fn, ms = 20000) {
  const start = Date.now();
  let last;
  while (Date.now() - start < ms) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAILED - ${name}: ${e.message}`);
  }
}

const driver = spawn("tauri-driver", ["--port", "4444"], { stdio: ["ignore", "inherit", "inherit"] });
try {
  await waitFor("tauri-driver", () => fetch(`${DRIVER}/status`).then((r) => r.ok), 15000);

  const caps = { capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: APP } } } };
  let session;
  try {
    session = await wd("POST", "/session", caps);
  } catch (e) {
    // WebKitWebDriver sometimes resets the first connection right after start-up.
    console.log(`retrying session start after: ${e.message}`);
    await sleep(1000);
    session = await wd("POST", "/session", caps);
  }
  const s = `/session/${session.sessionId}`;
  const find = async (css) => (await wd("POST", `${s}/element`, { using: "css selector", value: css }))[ELEMENT];
  const text = async (css) => wd("GET", `${s}/element/${await find(css)}/text`);
  const shot = async (name) => writeFileSync(`${ARTIFACTS}/${name}.png`, Buffer.from(await wd("GET", `${s}/screenshot`), "base64"));

  await check("the window lists the demo journal through IPC", async () => {
    await waitFor("500 transactions", async () => (await text("[data-testid=count]")).includes("500 transactions"));
    const rows = await wd("POST", `${s}/elements`, { using: "css selector", value: "[data-testid=journal] tbody tr" });
    if (rows.length !== 100) throw new Error(`expected a page of 100 rows, got ${rows.length}`);
    await shot("journal");
  });

  await check("searching slip text finds one voucher by its RRN", async () => {
    const input = await find("[data-testid=search]");
    await wd("POST", `${s}/element/${input}/value`, { text: "600000000042" });
    await waitFor("1 transaction", async () => (await text("[data-testid=count]")).includes(" 1 transactions"));
    const table = await text("[data-testid=journal]");
    if (!table.includes("600000000042")) throw new Error("the row with that RRN is not shown");
    await shot("search");
  });

  await check("a search with no match shows zero, not an error", async () => {
    const input = await find("[data-testid=search]");
    await wd("POST", `${s}/element/${input}/clear`, {});
    await wd("POST", `${s}/element/${input}/value`, { text: "no such slip text" });
    await waitFor("0 transactions", async () => (await text("[data-testid=count]")).includes(" 0 transactions"));
  });

  await wd("DELETE", s);
} catch (e) {
  failed++;
  console.log(`FAILED - session: ${e.message}`);
} finally {
  driver.kill();
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
