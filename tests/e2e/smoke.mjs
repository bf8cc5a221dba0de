// Drives the real Slipkeeper window through tauri-driver (W3C WebDriver), with no
// client library: fetch is enough for the handful of endpoints used here.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
  // No step loads a page: a command that waits for one longer than this has hung.
  await wd("POST", `${s}/timeouts`, { pageLoad: 15000, script: 15000 });
  const find = async (css) => (await wd("POST", `${s}/element`, { using: "css selector", value: css }))[ELEMENT];
  const findAll = async (css) => wd("POST", `${s}/elements`, { using: "css selector", value: css });
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
  // The text in the page, read by a script: WebKitWebDriver's own element text leaves
  // out the journal's rows, which sit in a scrolling box of their own.
  const textContent = (css) =>
    wd("POST", `${s}/execute/sync`, { script: "return document.querySelector(arguments[0])?.textContent ?? '';", args: [css] });
  // A click dispatched in the page. WebKitWebDriver's own click has, in some runs,
  // never answered after text was typed into the page (the window itself kept
  // working); the page's click runs the same handler.
  const pageClick = (css) =>
    wd("POST", `${s}/execute/sync`, { script: "document.querySelector(arguments[0]).click(); return true;", args: [css] });

  // English for stable assertions; the Chinese screens are shot too.
  await wd("POST", `${s}/execute/sync`, { script: "localStorage.setItem('lang','zh'); location.reload();", args: [] });
  await waitFor("home", () => find("[data-testid=screen-home]"));
  await check("the window fits the screen it opens on", async () => {
    const fit = await wd("POST", `${s}/execute/sync`, { script: "return [window.outerWidth, window.outerHeight, screen.availWidth, screen.availHeight];", args: [] });
    const [w, h, sw, sh] = fit;
    if (w > sw || h > sh || h < 500) throw new Error(`window ${w}×${h} on a ${sw}×${sh} screen`);
  });

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
      // The counters sit behind the details toggle: read the page's text, not what shows.
      seen = await textContent("[data-testid=screen-connect]");
      const m = seen.match(/Transactions mirrored\s*(\d+)/);
      return m && Number(m[1]) >= 1;
    }, 30000).catch((e) => {
      throw new Error(`${e.message}; the screen said: ${seen.replace(/\s+/g, " ").slice(0, 300)}`);
    });
    // Live: the count goes up on the screen as the demo terminal's customers pay (the
    // core pushes the link's status through a Channel; nothing here asks for it).
    const mirrored = async () => Number((await textContent("[data-testid=screen-connect]")).match(/Transactions mirrored\s*(\d+)/)?.[1] ?? 0);
    const before = await mirrored();
    await waitFor("the count going up", async () => (await mirrored()) > before, 40000);
    await waitFor("the batch check", () => text("[data-testid=link-totals]"));
    await shot("connect");
  });

  await check("the journal lists and searches through IPC", async () => {
    await click("[data-testid=nav-journal]");
    // A virtual table: only the rows in view are in the page, whatever the journal holds.
    const inPage = async () => (await wd("POST", `${s}/elements`, { using: "css selector", value: "[data-testid=journal] tr.row" })).length;
    await waitFor("rows in view", async () => (await inPage()) >= 10);
    if ((await inPage()) > 80) throw new Error(`${await inPage()} rows in the page`);
    await shot("journal");
    const total = Number((await text("[data-testid=count]")).match(/^\d+/)[0]);
    await wd("POST", `${s}/execute/sync`, { script: "const el = document.querySelector('[data-testid=journal-scroller]'); el.scrollTop = el.scrollHeight; return true;", args: [] });
    // Scrolled to the end, the last row in the page is the journal's oldest, loaded.
    await waitFor("the oldest row", async () => {
      const rows = await wd("POST", `${s}/elements`, { using: "css selector", value: "[data-testid=journal] tr.row" });
      const last = rows[rows.length - 1][ELEMENT];
      const index = Number(await wd("GET", `${s}/element/${last}/attribute/data-index`));
      return index >= total - 1 && !(await wd("GET", `${s}/element/${last}/text`)).includes("…");
    });
    await shot("journal-end");
    await type("[data-testid=search]", "600000000042");
    await waitFor("1 transaction", async () => (await text("[data-testid=count]")).startsWith("1 transactions"));
    const shown = await textContent("[data-testid=journal] tbody");
    if (!shown.includes("600000000042")) {
      const state = await wd("POST", `${s}/execute/sync`, { script: "const el = document.querySelector('[data-testid=journal-scroller]'); return JSON.stringify({ top: el.scrollTop, height: el.scrollHeight, rows: [...el.querySelectorAll('tr.row')].map((r) => r.getAttribute('data-index') + ' ' + r.textContent.slice(0, 60)) });", args: [] });
      throw new Error(`the row with that RRN is not shown: ${shown.replace(/\s+/g, " ").slice(0, 200)}; ${state}`);
    }
    await type("[data-testid=search]", "no such slip text");
    await waitFor("0 transactions", async () => (await text("[data-testid=count]")).startsWith("0 transactions"));
    // Letters in the batch filter: the core reads the form and names the field.
    await type("[data-testid=filter-batch]", "abc");
    await waitFor("the batch named", async () => (await textContent("[data-testid=error]")).includes("batch: \"abc\""));
    const said = await textContent("[data-testid=error]");
    if (/restart|重启/.test(said)) throw new Error(`a typo is called an internal error: ${said}`);
  });

  await check("a slip is found by its amount as remembered (whole yuan) and reprinted", async () => {
    const db = ["--db", process.env.SLIPKEEPER_DB, "--json"];
    const shown = JSON.parse(run(process.env.SLIPKEEPER_CLI, [...db, "journal", "show", "7", "--terminal", "10000001"]));
    const minor = shown[0].row.txn.amount.minor;
    await click("[data-testid=nav-reprint]");
    // "about 255": the yuan without the fen, as a customer remembers it.
    await type("[data-testid=reprint-find]", String(Math.floor(minor / 100)));
    await click("[data-testid=reprint-find-go]");
    await waitFor("the slip found", async () =>
      (await findAll("[data-testid=hit-pick][data-voucher='000007']")).length > 0 || (await textContent("[data-testid=slip]")).includes("000007"),
    );
    if ((await findAll("[data-testid=hit-pick][data-voucher='000007']")).length) await click("[data-testid=hit-pick][data-voucher='000007']");
    await waitFor("its preview", async () => (await textContent("[data-testid=slip]")).includes("000007"));
    await shot("reprint-found");
  });

  await check("a reprint is previewed and saved as a PDF that pdftotext reads", async () => {
    await click("[data-testid=nav-reprint]");
    await type("[data-testid=reprint-voucher]", "7");
    await type("[data-testid=reprint-terminal]", "10000001");
    await click("[data-testid=reprint-preview]");
    await waitFor("preview", async () => (await textContent("[data-testid=slip]")).includes("REPRINT"));
    // The PDF itself, drawn in the window by pdf.js: its pages are canvases with ink on them.
    const drawn = await waitFor("the PDF drawn", async () => {
      const r = await wd("POST", `${s}/execute/sync`, {
        script: `const cs = [...document.querySelectorAll("[data-testid=pdf-preview] canvas")];
          if (cs.length === 0) return null;
          return cs.map((cv) => { const px = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
            let ink = 0; for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 200 && px[i] < 100) ink++; return ink; });`,
        args: [],
      });
      return r && r.length > 0 ? r : null;
    });
    if (drawn.length < 2 || drawn.some((ink) => ink < 500)) throw new Error(`PDF pages drawn with ink ${drawn}`);
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

  // The problem solver from a complaint about voucher N of terminal 10000001 to an
  // evidence pack that `slipkeeper evidence verify` accepts; returns the diagnosis's text.
  const solve = async (complaint, voucher, code) => {
    await click("[data-testid=nav-solver]");
    await pageClick("[data-testid=solver-reset]");
    await click(`[data-testid=complaint-${complaint}]`);
    await type("[data-testid=solver-value]", String(voucher));
    await type("[data-testid=solver-terminal]", "10000001");
    await click("[data-testid=solver-diagnose]");
    // A voucher number may also read as an amount of that many yuan: then a list.
    const answered = await waitFor("diagnosis or a list", async () => ((await findAll("[data-testid=diagnosis]")).length ? "diagnosis" : (await findAll("[data-testid=solver-found]")).length ? "list" : null));
    if (answered === "list") await click(`[data-testid=hit-pick][data-voucher='${String(voucher).padStart(6, "0")}']`);
    await waitFor(`the answer ${code}`, async () => (await text("[data-testid=diagnosis]")).includes(code));
    const said = await text("[data-testid=diagnosis]");
    await click("[data-testid=solver-open-case]");
    await waitFor("plan", () => find("[data-testid=plan]"));
    await click("[data-testid=solver-pack]");
    await waitFor("verified", () => find("[data-testid=pack-verified]"), 30000);
    const pack = await text("[data-testid=pack-path] code");
    const out = run(process.env.SLIPKEEPER_CLI, ["evidence", "verify", pack]);
    if (!out.includes("all hashes match")) throw new Error(out);
    return said;
  };
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
    await solve("dispute", 7, "DISPUTE_RESPOND");
    await shot("solver");
  });

  const language = async (lang) => {
    await wd("POST", `${s}/execute/sync`, { script: "localStorage.setItem('lang', arguments[0]); location.reload();", args: [lang] });
    await waitFor("home", () => find("[data-testid=screen-home]"));
  };
  await check("原交易不存在 for a voucher of a settled batch: answered 'refund', through to a pack that verifies (Chinese)", async () => {
    await language("zh");
    const said = await solve("void_failed", 8, "SETTLED_USE_REFUND");
    if (!said.includes("已结算：不能撤销，请做退货") || !said.includes("原交易不存在")) throw new Error(`the answer in Chinese: ${said.slice(0, 300)}`);
    const cases = JSON.parse(run(process.env.SLIPKEEPER_CLI, ["--db", process.env.SLIPKEEPER_DB, "--json", "case", "list"]));
    if (!cases.some((c) => c.complaint === "void_failed" && c.code === "SETTLED_USE_REFUND")) throw new Error(`cases: ${JSON.stringify(cases).slice(0, 400)}`);
    await shot("solver-void-failed-zh");
  });
  await language("en");

  await check("the case is found under Cases and marked submitted, as the journal then says", async () => {
    await click("[data-testid=nav-cases]");
    const cases = JSON.parse(run(process.env.SLIPKEEPER_CLI, ["--db", process.env.SLIPKEEPER_DB, "--json", "case", "list"]));
    const id = cases[cases.length - 1].id;
    await waitFor("the case listed", () => find(`[data-testid=case-open-${id}]`));
    await click(`[data-testid=case-open-${id}]`);
    await waitFor("the case page", async () => (await text("[data-testid=case-due]")).length > 0);
    await type("[data-testid=case-note]", "called the acquirer");
    await click("[data-testid=case-set-submitted]");
    await waitFor("submitted", async () => (await text("[data-testid=case-history]")).includes("called the acquirer"));
    const after = JSON.parse(run(process.env.SLIPKEEPER_CLI, ["--db", process.env.SLIPKEEPER_DB, "--json", "case", "list"]));
    const c = after.find((x) => x.id === id);
    if (c.status !== "submitted") throw new Error(`case ${id} is ${c.status}`);
    await shot("case");
  });

  await check("a second launch brings the open window forward and ends", async () => {
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(APP, [], { env: process.env, encoding: "utf8", timeout: 30000 });
    if (r.error) throw new Error(`the second launch did not end: ${r.error.message}`);
    if (r.status !== 0 || !r.stderr.includes("open already")) throw new Error(`exit ${r.status}: ${r.stderr.slice(-300)}`);
    // The first window still answers.
    await waitFor("the first window", () => find("[data-testid=nav-home]"));
  });

  await check("an argument the shell cannot read is refused in the words the window reads as the owner's input", async () => {
    // ui/src/lib/ipc.ts (toAppError) turns exactly these words into BAD_INPUT naming
    // the field; its Vitest test reads the same sentence.
    const said = await wd("POST", `${s}/execute/async`, {
      script:
        "const done = arguments[arguments.length - 1];" +
        "window.__TAURI_INTERNALS__.invoke('reprint_preview', { request: { voucher_no: 'abc', terminal_id: null, copy: 'both' } }).then(() => done('allowed'), (e) => done(e));",
      args: [],
    });
    const want = 'invalid args `request` for command `reprint_preview`: trace_no: only digits allowed (got "abc")';
    if (said !== want) throw new Error(`the shell said ${JSON.stringify(said)}`);
  });

  await check("the page can call only Slipkeeper's commands, and write nowhere it was not given", async () => {
    // Each call from the page itself, as a script injected into it would make it.
    const attempt = (cmd, args) =>
      wd("POST", `${s}/execute/async`, {
        script:
          "const done = arguments[arguments.length - 1];" +
          "window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(() => done('allowed'), (e) => done('refused: ' + JSON.stringify(e)));",
        args: [cmd, args],
      });
    const evil = join(process.env.E2E_WORK, "not-chosen.db");
    const results = {
      dialog: await attempt("plugin:dialog|save", { options: {} }),
      opener: await attempt("plugin:opener|open_path", { path: "/bin/sh" }),
      backup: await attempt("backup_journal", { path: evil }),
      open: await attempt("open_path", { path: process.env.SLIPKEEPER_DB }),
    };
    for (const [what, r] of Object.entries(results)) if (!r.startsWith("refused")) throw new Error(`${what}: ${r}`);
    if (!results.backup.includes("not chosen")) throw new Error(`backup: ${results.backup}`);
    if (run("sh", ["-c", `test -e '${evil}' && echo exists || echo absent`]).trim() !== "absent") throw new Error("a backup was written");
  });

  await check("a statement imported on the Reconcile screen shows the line the journal lacks", async () => {
    // One line the journal cannot have (New Year's Day, voucher 888888), as an acquirer's
    // statement in the common Chinese layout.
    const file = join(process.env.E2E_WORK, "statement.csv");
    writeFileSync(
      file,
      "商户编号,终端编号,交易时间,卡号,交易金额,手续费,参考号,凭证号,交易类型\r\n" +
        "898310048990001,10000001,2026-01-01 08:03:00,622202******0128,88.88,0.53,699999999999,888888,消费\r\n",
    );
    await click("[data-testid=nav-reconcile]");
    await type("[data-testid=statement-path]", file);
    await pageClick("[data-testid=statement-import]");
    await waitFor("imported", async () => (await text("[data-testid=imported]")).includes("1 / 1"));
    await waitFor("the discrepancy", async () => (await text("[data-testid=screen-reconcile]")).includes("88.88"));
    await shot("reconcile");
    // A discrepancy becomes a case, stored in the journal (read back with the CLI).
    await pageClick("[data-testid=open-case-0]");
    const opened = (await waitFor("the case opened", () => text("[data-testid=case-opened-0]"))).match(/SK-(\d+)/)[1];
    const listed = JSON.parse(run(process.env.SLIPKEEPER_CLI, ["--db", process.env.SLIPKEEPER_DB, "--json", "case", "list"]));
    if (!JSON.stringify(listed).includes(`"id":${opened}`)) throw new Error(`case ${opened} is not in the journal: ${JSON.stringify(listed).slice(0, 300)}`);
  });

  await check("a statement dropped into the watched folder is imported by the service and found in the journal screen", async () => {
    // The folder is chosen in the OS's dialog in the window (not drivable here); the
    // CLI sets the same file. The service the window started does the rest.
    const folder = join(process.env.E2E_WORK, "Downloads");
    mkdirSync(folder, { recursive: true });
    run(process.env.SLIPKEEPER_CLI, ["--db", process.env.SLIPKEEPER_DB, "statement", "watch", folder]);
    writeFileSync(
      join(folder, "交易明细20260102.csv"),
      "终端编号,交易时间,卡号,交易金额,参考号,凭证号,授权码,交易类型,清算日期\r\n" +
        "10000009,2026-01-02 09:30:00,622588******1234,66.66,677777777777,777777,A1B2C3,消费,2026-01-03\r\n",
    );
    await click("[data-testid=nav-journal]");
    await type("[data-testid=search]", "677777777777");
    await waitFor(
      "the statement line in the journal screen",
      async () => (await textContent("[data-testid=journal-statement]")).includes("交易明细20260102.csv #2"),
      45000,
    );
    await shot("journal-statement");
    // The slip rebuilt from it, titled as such.
    await pageClick("[data-testid=statement-print]");
    await waitFor("the reprint screen", () => find("[data-testid=screen-reprint]"));
    await pageClick("[data-testid=reprint-preview]");
    await waitFor("the rebuilt slip", async () => (await textContent("[data-testid=slip]")).includes("依据收单机构对账单重建"));
    await shot("reprint-from-statement");
  });

  // Not visited in the real window: the Cases screen (covered in Chromium by
  // ui/tests/screens.mjs with mocked IPC, and the cases themselves by the CLI check
  // above). In 9 of 10 runs of this test WebKitWebDriver never answered the command
  // after the Cases entry was clicked — its own click, a click run in the page, or
  // reading the table's text — coming from Home, the Solver or Reconcile. The window
  // had switched meanwhile (a screenshot of the X display shows the case list), GET
  // /title still answered, and the app's, the web process's and the driver's threads
  // all waited in poll(). A shorter script driving the same clicks never hung (6 runs).
  await wd("DELETE", s);

  // The window is closed; the link service it started is not.
  await check("with the window closed the service keeps mirroring, and the window opens again on it", async () => {
    const db = ["--db", process.env.SLIPKEEPER_DB, "--json"];
    const count = () => JSON.parse(run(process.env.SLIPKEEPER_CLI, [...db, "journal", "list", "--limit", "1"])).total;
    const status = JSON.parse(run(process.env.SLIPKEEPER_CLI, [...db, "service", "status"]));
    if (!status.running || status.status.links[0]?.link?.kind !== "demo") throw new Error(`service: ${JSON.stringify(status).slice(0, 300)}`);
    const before = count();
    await waitFor("a transaction mirrored while the window is closed", async () => count() > before, 40000);
    const closed = count();
    const again = await startSession(APP);
    const a = `/session/${again.sessionId}`;
    const total = async () => {
      const el = (await wd("POST", `${a}/element`, { using: "css selector", value: "[data-testid=journal-total]" }))[ELEMENT];
      return Number(await wd("GET", `${a}/element/${el}/text`));
    };
    await waitFor("the reopened window shows what was mirrored meanwhile", async () => (await total()) >= closed, 20000);
    await wd("DELETE", a);
  });

  await check("the journal holds every booking of the demo terminal once, window closed or not", async () => {
    const db = ["--db", process.env.SLIPKEEPER_DB, "--json"];
    const key = (b) => `${b.batch}/${b.trace}/${b.kind}/${b.amount}`;
    const ledger = () =>
      readFileSync(process.env.SLIPKEEPER_DEMO_LEDGER, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => key(JSON.parse(l)));
    const journal = () =>
      JSON.parse(run(process.env.SLIPKEEPER_CLI, [...db, "journal", "list", "--terminal", "52523535", "--limit", "5000"])).items.map((r) =>
        key({ batch: Number(r.txn.batch_no), trace: Number(r.txn.trace_no), kind: r.txn.kind, amount: r.txn.amount.minor }),
      );
    const booked = ledger();
    if (booked.length < 3) throw new Error(`only ${booked.length} demo bookings`);
    // Nothing lost: everything booked so far arrives.
    await waitFor("every booking in the journal", () => booked.every((k) => journal().includes(k)), 30000);
    // Nothing doubled, nothing invented.
    const now = ledger();
    const have = journal();
    if (new Set(have).size !== have.length) throw new Error("a booking is in the journal twice");
    const extra = have.filter((k) => !now.includes(k));
    if (extra.length) throw new Error(`in the journal but not booked: ${extra.join(", ")}`);
  });

  // Last, as it takes the journal back to a copy: what came after the copy is gone.
  await check("the journal is restored from the automatic backup in Settings (Chinese)", async () => {
    const cli = (...a) => run(process.env.SLIPKEEPER_CLI, ["--db", process.env.SLIPKEEPER_DB, ...a]);
    const w = await startSession(APP);
    const r = `/session/${w.sessionId}`;
    const el = async (css) => (await wd("POST", `${r}/element`, { using: "css selector", value: css }))[ELEMENT];
    const tap = (css) => wd("POST", `${r}/execute/sync`, { script: "document.querySelector(arguments[0]).click(); return true;", args: [css] });
    const read = (css) => wd("POST", `${r}/execute/sync`, { script: "return document.querySelector(arguments[0])?.textContent ?? '';", args: [css] });
    try {
      await wd("POST", `${r}/execute/sync`, { script: "localStorage.setItem('lang','zh'); location.reload();", args: [] });
      await waitFor("home", () => el("[data-testid=screen-home]"));
      await tap("[data-testid=nav-settings]");
      await waitFor("the backup folder", async () => (await read("[data-testid=auto-backup-folder]")).includes("stick"));
      await tap("[data-testid=auto-backup-now]");
      await waitFor("the copy listed", async () => (await read("[data-testid=auto-backup-copies]")).length > 0);
      const before = JSON.parse(cli("--json", "merchant", "show")).shop_name;
      // After the copy: the shop's name changed (the profile lives in the journal).
      const shop = await el("[data-testid=profile-shop]");
      await wd("POST", `${r}/element/${shop}/clear`, {});
      await wd("POST", `${r}/element/${shop}/value`, { text: "改名之后的店" });
      await tap("[data-testid=profile-save]");
      await waitFor("the new name saved", () => JSON.parse(cli("--json", "merchant", "show")).shop_name === "改名之后的店");
      await tap("[data-testid=auto-backup-restore-0]");
      await waitFor("asked first", () => el("[data-testid=restore-ask]"));
      await tap("[data-testid=restore-confirm]");
      await waitFor("restored", async () => (await read("[data-testid=restore-done]")).includes("✓"), 30000);
      writeFileSync(`${ARTIFACTS}/restore-zh.png`, Buffer.from(await wd("GET", `${r}/screenshot`), "base64"));
      const after = JSON.parse(cli("--json", "merchant", "show")).shop_name;
      if (after !== before) throw new Error(`after the restore the shop is ${after}, the copy had ${before}`);
      const v = cli("journal", "verify");
      if (!v.includes("journal verified")) throw new Error(v);
    } finally {
      await wd("DELETE", r);
    }
  });
} catch (e) {
  failed++;
  console.log(`FAILED - session: ${e.message}`);
} finally {
  driver.kill();
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
