// Drives the real Slipkeeper window through tauri-driver (W3C WebDriver), with no
// client library: fetch is enough for the handful of endpoints used here.
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { ELEMENT, startSession, waitFor, wd } from "./wd.mjs";

const { APP, ARTIFACTS } = process.env;
let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAILED - ${name}: ${e.message}`);
    if (process.env.E2E_TRACE) console.log(execFileSync("sh", ["-c", "ps aux | grep -E 'slipkeeper-deskto[p]|WebKitWebDrive[r]|WebKitWebProces[s]' || true"], { encoding: "utf8" }));
  }
}

const driver = spawn("tauri-driver", ["--port", "4444"], { stdio: ["ignore", "inherit", "inherit"] });
try {
  const session = await startSession(APP);
  const s = `/session/${session.sessionId}`;
  const find = async (css) => (await wd("POST", `${s}/element`, { using: "css selector", value: css }))[ELEMENT];
  const text = async (css) => wd("GET", `${s}/element/${await find(css)}/text`);
  const shot = async (name) => writeFileSync(`${ARTIFACTS}/${name}.png`, Buffer.from(await wd("GET", `${s}/screenshot`), "base64"));

  const click = async (css) => {
    if (process.env.E2E_TRACE) console.log(`click ${css}`);
    return wd("POST", `${s}/element/${await find(css)}/click`, {});
  };
  const type = async (css, value) => {
    const el = await find(css);
    await wd("POST", `${s}/element/${el}/clear`, {});
    await wd("POST", `${s}/element/${el}/value`, { text: value });
  };
  const run = (cmd, args) => execFileSync(cmd, args, { encoding: "utf8" });
  // A click dispatched in the page. WebKitWebDriver's own click has, in some runs,
  // never answered after text was typed into the page (the window itself kept
  // working); the page's click runs the same handler.
  const pageClick = (css) =>
    wd("POST", `${s}/execute/sync`, { script: "document.querySelector(arguments[0]).click(); return true;", args: [css] });

  // English for stable assertions; the Chinese screens are shot too.
  await wd("POST", `${s}/execute/sync`, { script: "localStorage.setItem('lang','zh'); location.reload();", args: [] });
  await waitFor("home", () => find("[data-testid=screen-home]"));
  await check("home shows the journal and today's figures (Chinese)", async () => {
    await waitFor("journal total", async () => Number(await text("[data-testid=journal-total]")) >= 500);
    await shot("home-zh");
  });
  await wd("POST", `${s}/execute/sync`, { script: "localStorage.setItem('lang','en'); location.reload();", args: [] });
  await waitFor("home", () => find("[data-testid=screen-home]"));

  await check("demo payments from the simulator arrive while the window is open", async () => {
    const first = Number(await waitFor("total", () => text("[data-testid=journal-total]")));
    await waitFor("a new transaction", async () => Number(await text("[data-testid=journal-total]")) > first, 30000);
    await shot("home");
  });

  await check("the Connect screen shows the demo terminal connected, with live progress", async () => {
    await click("[data-testid=nav-connect]");
    await waitFor("connected", async () => (await text("[data-testid=link-state]")).includes("Connected"), 20000);
    if (!(await text("[data-testid=link-state]")).includes("demo terminal")) throw new Error("the demo terminal is not named");
    let seen = "";
    await waitFor("a mirrored transaction", async () => {
      seen = await text("[data-testid=screen-connect]");
      const m = seen.match(/Transactions mirrored\s*(\d+)/);
      return m && Number(m[1]) >= 1;
    }, 30000).catch((e) => {
      throw new Error(`${e.message}; the screen said: ${seen.replace(/\s+/g, " ").slice(0, 300)}`);
    });
    await waitFor("the batch check", () => text("[data-testid=link-totals]"));
    await shot("connect");
  });

  await check("the journal lists and searches through IPC", async () => {
    await click("[data-testid=nav-journal]");
    await waitFor("a page of rows", async () => {
      const rows = await wd("POST", `${s}/elements`, { using: "css selector", value: "[data-testid=journal] tbody tr" });
      return rows.length === 100;
    });
    await shot("journal");
    await type("[data-testid=search]", "600000000042");
    await waitFor("1 transaction", async () => (await text("[data-testid=count]")).startsWith("1 transactions"));
    if (!(await text("[data-testid=journal]")).includes("600000000042")) throw new Error("the row with that RRN is not shown");
    await type("[data-testid=search]", "no such slip text");
    await waitFor("0 transactions", async () => (await text("[data-testid=count]")).startsWith("0 transactions"));
  });

  await check("a reprint is previewed and saved as a PDF that pdftotext reads", async () => {
    await click("[data-testid=nav-reprint]");
    await type("[data-testid=reprint-voucher]", "7");
    await type("[data-testid=reprint-terminal]", "10000001");
    await click("[data-testid=reprint-preview]");
    await waitFor("preview", async () => (await text("[data-testid=slip]")).includes("REPRINT"));
    await click("[data-testid=reprint-save]");
    const saved = await waitFor("saved path", () => text("[data-testid=reprint-saved] code"));
    const pdf = run("pdftotext", [saved, "-"]);
    if (!pdf.includes("000007") || !pdf.includes("重打印凭证 REPRINT / DUPLICATE")) throw new Error(`PDF text: ${pdf.slice(0, 200)}`);
    await shot("reprint");
  });

  await check("Settings shows the journal in use, from the core", async () => {
    await click("[data-testid=nav-settings]");
    await waitFor("data folder", async () => (await text("[data-testid=data-journal]")) === process.env.SLIPKEEPER_DB);
  });

  await check("the problem solver runs to an evidence pack that verifies", async () => {
    await click("[data-testid=nav-settings]");
    await type("[data-testid=profile-shop]", "演示商店");
    await type("[data-testid=profile-contact]", "Wang");
    await type("[data-testid=profile-phone]", "13800000000");
    await pageClick("[data-testid=profile-save]");
    await waitFor("profile saved", () => find("[data-testid=profile-saved]"));
    const profile = JSON.parse(run(process.env.SLIPKEEPER_CLI, ["--db", process.env.SLIPKEEPER_DB, "--json", "merchant", "show"]));
    if (profile.contact_person !== "Wang" || profile.phone !== "13800000000") throw new Error(`stored profile: ${JSON.stringify(profile)}`);
    await shot("settings");
    await click("[data-testid=nav-solver]");
    await click("[data-testid=complaint-dispute]");
    await type("[data-testid=solver-value]", "7");
    await type("[data-testid=solver-terminal]", "10000001");
    await click("[data-testid=solver-diagnose]");
    await waitFor("diagnosis", async () => (await text("[data-testid=diagnosis]")).includes("DISPUTE_RESPOND"));
    await click("[data-testid=solver-open-case]");
    await waitFor("plan", () => find("[data-testid=plan]"));
    await click("[data-testid=solver-pack]");
    await waitFor("verified", () => find("[data-testid=pack-verified]"), 30000);
    const pack = await text("[data-testid=pack-path] code");
    const out = run(process.env.SLIPKEEPER_CLI, ["evidence", "verify", pack]);
    if (!out.includes("all hashes match")) throw new Error(out);
    await shot("solver");
    // Known issue: with the demo terminal mirroring, going to the Cases screen leaves
    // WebKitWebDriver without an answer, by a click of its own or of the page (the
    // app's threads are idle, seen with gdb; without the demo terminal the same click
    // works). The Cases and Reconcile screens are covered in Chromium by
    // ui/tests/screens.mjs; the real window's tour ends here.
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
