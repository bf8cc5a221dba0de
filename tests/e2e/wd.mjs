// WebDriver over plain fetch, for the end-to-end test and the desktop measurements:
// tauri-driver (W3C WebDriver) needs no client library for the few endpoints used.
import { setTimeout as sleep } from "node:timers/promises";

export const DRIVER = "http://127.0.0.1:4444";
export const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export async function wd(method, path, body) {
  const req = () =>
    fetch(DRIVER + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      // No command here takes long: one that has not answered in a minute never will.
      signal: AbortSignal.timeout(60000),
    });
  let res;
  try {
    res = await req();
  } catch (e) {
    // Node reuses a kept-alive socket that tauri-driver may have closed while the test
    // ran a command-line tool; such a request never reached the driver: send it again.
    if (!String(e.message).includes("fetch failed")) throw e;
    res = await req();
  }
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

export async function waitFor(what, fn, ms = 20000, every = 150) {
  const start = Date.now();
  let last;
  while (Date.now() - start < ms) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

/** Waits for tauri-driver, then opens a session on the app binary `app`. */
export async function startSession(app) {
  await waitFor("tauri-driver", () => fetch(`${DRIVER}/status`).then((r) => r.ok), 15000);
  const caps = { capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: app } } } };
  try {
    return await wd("POST", "/session", caps);
  } catch (e) {
    // WebKitWebDriver sometimes resets the first connection right after start-up.
    console.log(`retrying session start after: ${e.message}`);
    await sleep(1000);
    return wd("POST", "/session", caps);
  }
}
