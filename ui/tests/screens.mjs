// Every screen of the built UI, in both languages, in headless Chromium (Debian's
// package, driven by playwright-core) with the Tauri IPC mocked: what each screen
// shows for a known set of answers, and no untranslated key or "undefined" anywhere.
// Screenshots land in artifacts/ui/.
import { createServer } from "node:http";
import { readFileSync, mkdirSync, existsSync } from "node:fs";
import { join, extname } from "node:path";
import { chromium } from "playwright-core";

const DIST = new URL("../dist/", import.meta.url).pathname;
const OUT = new URL("../../artifacts/ui/", import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png" };
const server = createServer((req, res) => {
  const path = join(DIST, req.url === "/" ? "index.html" : req.url.split("?")[0]);
  if (!existsSync(path)) return res.writeHead(404).end();
  res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/`;

// A one-page PDF written out by hand (a black bar and a line of text), base64: what
// reprint_pdf_preview answers, as raw bytes in the real app.
const tinyPdf = () => {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 226 300] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    null, // the content stream, below
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  const content = "0 0 0 rg 20 200 186 40 re f BT /F1 14 Tf 20 150 Td (REPRINT 000007) Tj ET";
  objects[3] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  let out = "%PDF-1.4\n";
  const offsets = objects.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1").toString("base64");
};

// The answers the core would give, in the shapes of the Rust DTOs.
const txn = {
  terminal_id: "10000001", merchant_id: "898310048990001", batch_no: "000001", trace_no: "000007", kind: "sale",
  outcome: "approved", amount: { minor: 25505, currency: "CNY" }, occurred_at: "2026-11-20T08:03:21",
  pan: "552233******0733", rrn: "600000000012", auth_code: "907880",
};
const row = { id: 13, txn, recorded_at: "2026-11-20T00:03:22Z", settled: false };
const text = (zh, en) => ({ zh, en });
const diagnosis = {
  code: "DISPUTE_RESPOND", complaint: "dispute", title: text("交易成功：用证据回复调单", "Approved: answer the dispute with evidence"),
  explanation: text("终端记录这笔交易成功。", "The terminal approved this transaction."),
  facts: [{ txn_id: 13, text: text("#13 终端 10000001 凭证号 000007", "#13 terminal 10000001 voucher 000007") }],
  next_steps: [text("生成证据包", "Build the evidence pack")], prepare: [text("签购单", "The slip")],
  needs_acquirer: true, journal_decides: true, checks: [], warnings: [],
};
// Answers for the other kinds of question, as the core words them (voucher 11: an open
// pre-authorisation; 12: one live charge; 13: settled, yet not at the acquirer).
const preAuthOpen = {
  ...diagnosis, code: "PRE_AUTH_OPEN", complaint: "charged_twice", needs_acquirer: false,
  title: text("预授权：只是冻结，还不是扣款", "Pre-authorisation: a hold, not a charge"),
  explanation: text("这笔预授权冻结了 500.00 元，但没有扣款。2026-12-20 前可以：做“预授权完成”收款；做“预授权撤销”释放冻结；或不操作，到期后自动释放。", "This pre-authorisation holds RMB 500.00 on the card; nothing is charged yet. Until 2026-12-20 you can: do a pre-auth completion to charge; cancel it (pre-auth cancellation) at the terminal to release the hold; or leave it to expire."),
  facts: [{ txn_id: 21, text: text("#21 终端 10000001 批次 000001 凭证号 000011 预授权 500.00 元", "#21 terminal 10000001 batch 000001 voucher 000011 pre-authorisation RMB 500.00") }],
  next_steps: [text("不收款：在终端上做预授权撤销，顾客的冻结会释放", "Not charging: cancel the pre-authorisation at the terminal so the hold is released")],
  prepare: [],
};
const chargedOnce = {
  ...diagnosis, code: "CHARGED_ONCE", complaint: "charged_twice", needs_acquirer: false,
  title: text("只扣了一次款", "Charged once"),
  explanation: text("日志里这张卡这个金额只有一笔有效扣款（凭证号 000012）。", "The journal shows one live charge to this card for this amount (voucher 000012)."),
  next_steps: [text("不要撤销这笔：它是唯一的一笔真实付款", "Do not void it: it is the only real payment")],
  prepare: [],
  warnings: [text("凭证号 000012 在本终端的其他批次（000001）也出现过", "Voucher 000012 also appears in other batches of this terminal (000001)")],
};
const undecided = {
  ...diagnosis, code: "APPROVED_ASK_ACQUIRER", complaint: "not_in_acquirer_back_end", journal_decides: false,
  title: text("终端记录为成功：请收单机构核查", "Approved at the terminal: ask the acquirer to check"),
  checks: [{ question: text("那笔交易前后，终端是否提示通讯失败、超时，或打出过冲正单？", "Around that payment, did the terminal show a communication error or timeout, or print a reversal (冲正) slip?"), if_yes: text("交易可能没有上送到收单机构（上送丢失）", "The payment may never have reached the acquirer (lost transmission)"), call: text("收单机构客服", "The acquirer's hotline") }],
};
const found = (items) => ({ total: items.length, more: false, offset: 0, upto_id: 300, items: items.map((i) => ({ ...i, matched: ["voucher"] })), read_as: ["voucher", "about_amount"], near: [], lookup: null, statement: [] });
// A payment only the acquirer's statement has (a shop without a terminal link).
const statementRow = { line_id: 77, file_name: "交易明细1121.csv", line_no: 2, imported_on: "2026-11-22", terminal_id: "10000001", voucher: "000999", rrn: "612345678901", auth_code: "A1B2C3", card: "622588******1234", kind: "sale", amount: { minor: 25531, currency: "CNY" }, occurred_at: "2026-11-20T12:57:03", settle_date: "2026-11-21", matched: ["voucher"] };
let watchStatus = { folder: null, last_scan_at: null, last_import: null, last_error: null, last_error_zh: null };
const DIAGNOSES = { 11: preAuthOpen, 12: chargedOnce, 13: undecided };
const acquirer = { id: "cup", name: text("中国银联", "China UnionPay"), hotline: "95516", dispute_email: "", portal: "", hours: text("7×24 小时", "24/7"), documents: [], response_days: 7, verified: false };
const caseSummary = { id: 1, opened_at: "2026-11-22T03:00:00Z", updated_at: "2026-11-22T03:00:00Z", status: "open", complaint: "dispute", code: "DISPUTE_RESPOND", txn_id: 13, acquirer_id: "cup", acquirer_ref: null, due_on: "2026-11-29", days_left: 7 };
const CONNECTED = { state: "connected", endpoint: "192.168.1.20:20007", reason: null, retry_in_ms: null, attempt: 0, progress: { since: "2026-11-22T01:00:00Z", at: "2026-11-22T01:10:00Z", exchanges: 40, frames: 400, bytes: 36880, transactions: 37 }, per_minute: 3.7, totals: { terminal: "52523535", batch: "000003", terminal_count: 37, terminal_minor: 412300, journal_count: 36, journal_minor: 400000, checked_at: "2026-11-22T01:00:00Z" }, error: null, demo: false, proxy: false, listening_on: null };
const CONNECTING = { state: "connecting", endpoint: "192.168.1.20:20007", reason: null, retry_in_ms: null, attempt: 0, progress: null, per_minute: 0, totals: null, error: null, demo: false, proxy: false, listening_on: null };
let link = CONNECTED;
let backupStatus = { plan: { folder: null, keep: 7 }, last_at: null, last_path: null, last_error: null, since: null, overdue: false };
const CASE_PAGE = { ...caseSummary, txn: row, events: [{ at: "2026-11-22T03:00:00Z", kind: "opened", text: "dispute" }], packs: ["/tmp/exports/SK-1.zip"], next: ["submitted", "waiting", "won", "lost", "withdrawn"] };
let casePage = CASE_PAGE;
let hqJoined = null;
const answers = {
  home: { today: "2026-11-22", today_count: 3, today_minor: 45600, by_scheme: [{ scheme: "unionpay", count: 3, minor: 45600 }], journal_total: 2003, last_transaction_at: "2026-11-22T10:00:00", alerts: [{ text: { zh: "终端 10000001：日志中缺少凭证号 000042", en: "terminal 10000001: voucher 000042 is missing from the journal" }, fix: "reconcile" }, { text: { zh: "终端 10000001 批次 000003（未结算）：终端记录 5 笔消费共 500.00，本机日志只有 4 笔共 400.00（核对于 2026-11-22 09:00）", en: "terminal 10000001 batch 000003 (open): the terminal counted 5 sales for 500.00, the journal has 4 for 400.00 (checked 2026-11-22 09:00)" }, fix: "connect" }], unknown_outcomes: 1, cases_due: [caseSummary], checking: false, backup: { plan: { folder: null, keep: 7 }, last_at: null, last_path: null, last_error: null, since: null, overdue: false }, latest_statement: "2026-11-21", watch: { folder: null, last_scan_at: null, last_import: null, last_error: null, last_error_zh: null } },
  search_journal: (args) => {
    // The forgiving search as the core answers it (crates/app/src/find.rs): a voucher
    // typed in the problem solver is transaction 100 + its number; voucher 7 without a
    // terminal is in two batches, a list to pick from.
    const q = args.form.search.trim();
    if (!/^\d+$/.test(q)) return found([row]);
    const hit = (batch) => ({ ...row, id: 100 + Number(q), txn: { ...txn, trace_no: q.padStart(6, "0"), batch_no: batch } });
    if (q === "999") return { ...found([]), statement: [statementRow] };
    if (q === "255") return { ...found([hit("000001")]), near: [{ ...row, id: 400, matched: [], txn: { ...txn, amount: { minor: 25490, currency: "CNY" } } }] };
    return found(q === "7" && !args.form.terminal ? [hit("000001"), { ...hit("000002"), id: 200 }] : [hit("000001")]);
  },
  acquirer_for: "cup",
  suggested_profile: { shop_name: "喆堃便利店", merchant_id: "898310048990001", address: null, contact_person: null, phone: null, email: null },
  missing_profile: [],
  transaction_detail: { row, batch: { state: "open" }, slips: [{ copy: "merchant", origin: "terminal", lines: ["银联POS签购单", "凭证号 VOUCHER NO.: 000007"] }], related: [], frames: [{ direction: "rx", at: "2026-11-20T00:03:21Z", bytes: "040f" }] },
  verify_journal: { checked: 4006, head: "ab", problems: [] },
  reprint_pdf_preview: tinyPdf(),
  reprint_preview: [{ copy: "merchant", origin: "terminal", lines: ["重打印凭证 REPRINT / DUPLICATE", "凭证号 VOUCHER NO.: 000007"] }],
  reprint_pdf: "/tmp/exports/reprint-10000001-000007.pdf",
  diagnose: (args) => DIAGNOSES[args.lookup.by === "txn" ? args.lookup.id - 100 : args.lookup.voucher] ?? diagnosis,
  acquirers: [acquirer],
  open_case: 1,
  open_case_from_discrepancy: 2,
  contact_plan: { diagnosis, acquirer, asks: [text("签购单", "The slip")], phone_script: text("您好，我是商户", "Hello, this is the shop"), letter: text("致：中国银联", "To: China UnionPay"), missing: [], check_note: text("请以协议为准", "Check against your contract") },
  build_evidence: { path: "/tmp/exports/SK-1.zip", bytes: 114000, sha256: "00", files: ["00_cover_letter.pdf"] },
  verify_evidence: { files: 9, proofs: 2, problems: [] },
  list_cases: [caseSummary],
  case_page: () => casePage,
  update_case: (args) => (casePage = { ...casePage, status: args.update.status ?? casePage.status, next: args.update.status ? ["waiting", "won", "lost", "withdrawn"] : casePage.next, events: [...casePage.events, ...(args.update.status ? [{ at: "2026-11-22T04:00:00Z", kind: "status", text: args.update.status }] : []), ...(args.update.note ? [{ at: "2026-11-22T04:00:00Z", kind: "note", text: args.update.note }] : [])] }),
  reconcile: { from: "2026-11-20T00:00:00", to: "2026-11-21T00:00:00", journal_transactions: 40, statement_lines: 40, matches: [], discrepancies: [{ kind: "missing_from_statement", txn_id: 13, at: "2026-11-20T08:03:21", amount_minor: 25505, detail: { zh: "终端 10000001 凭证号 000007：对账单上没有", en: "terminal 10000001 voucher 000007 is not on the statement" } }], totals: [{ day: "2026-11-20", terminal: "10000001", card_type: "unionpay", journal_count: 20, journal_minor: 100000, statement_count: 19, statement_minor: 74495, fee_minor: 447, net_minor: 74048, difference_minor: -25505 }] },
  link_status: () => link,
  start_service: () => (link = CONNECTED),
  watch_link: null,
  unwatch_link: null,
  serial_ports: [{ path: "/dev/ttyACM0", description: "USB 079b:0028 Ingenico" }, { path: "/dev/ttyUSB0", description: "USB 067b:2303 Prolific" }],
  // The link's state follows what the screen asked for last.
  connect_terminal: (args) =>
    (link =
      args.request.kind === "proxy"
        ? { ...CONNECTING, state: "listening", endpoint: `${args.request.host}:${args.request.port}`, proxy: true, listening_on: `0.0.0.0:${args.request.listen_port}` }
        : CONNECTING),
  merchant_profile: { shop_name: "演示商店", merchant_id: null, address: null, contact_person: "王老板", phone: "13800000000", email: null },
  set_merchant_profile: null,
  terminals: [
    { terminal_id: "10000001", batches: 3, open_batch: "000003", last_settled_at: "2026-11-21T23:00:00" },
    { terminal_id: "10000002", batches: 1, open_batch: "000001", last_settled_at: null },
  ],
  data_folder: { journal: "/data/journal.db", folder: "/data", exports: "/data/exports", size_bytes: 52428800, logs: "/data/logs", log_level: "info" },
  set_log_level: null,
  support_bundle: (args) => ({ path: args.path, bytes: 4096, files: ["journal-check.txt", "about.json"] }),
  backup_journal: null,
  printers: { receipt: null, receipt_width_mm: 80, system: null },
  set_printers: (args) => ({ ...args.printers, receipt: args.printers.receipt ? `${args.printers.receipt}:9100` : null }),
  reprint_print: null,
  set_acquirer: (args) => ({ ...args.acquirer, hotline: args.acquirer.hotline.trim() }),
  reprint_receipt: 1834,
  open_path: null,
  restore_journal: { checked: 4006, head: "ab", problems: [] },
  // The native pickers, shown by the shell: what the user would have chosen.
  choose_path: (args) =>
    ({ statement_folder: "/home/shop/Downloads", backup_folder: "/media/usb", backup: "/data/slipkeeper-backup-20261122.db", restore: "/backups/slipkeeper-backup-20261101.db", statement: "/data/statement-2026-11.csv", bundle: "/data/slipkeeper-support-20261122.zip" })[args.purpose],
  backups: () => backupStatus,
  watch_status: () => watchStatus,
  // Head office (crates/app/src/head_office.rs): not joined at first; joining answers
  // with the shop the role sends for; a search finds voucher 000123 in two shops.
  head_office: () => hqJoined,
  join_head_office: (args) =>
    args.password
      ? ((hqJoined = {
          joined: { address: args.address, account: "slipkeeper_shop_nanjing-rd@hq.example:5432/slipkeeper", shop_id: "nanjing-rd", every_seconds: args.every_seconds },
          sending: { last_ok_at: "2026-11-22T03:00:00Z", last_error: "cannot reach head office at postgres://slipkeeper_shop_nanjing-rd@hq.example/slipkeeper: connection refused", head_office_seq: 1990, journal_seq: 2003 },
        }),
        hqJoined.joined)
      : { __error: { code: "BAD_INPUT", message: "the shop's password is needed once to join", field: "password" } },
  leave_head_office: () => ((hqJoined = null), true),
  diagnose_at_head_office: (args) => ({ shop_id: args.shop_id, shop_name: args.shop_id === "xujiahui" ? "徐家汇店" : "南京路店", diagnosis }),
  head_office_cases: () => [
    { shop_id: "xujiahui", shop_name: "徐家汇店", case_id: 3, status: "submitted", complaint: "void_failed", code: "SETTLED_USE_REFUND", acquirer_id: "ums", acquirer_ref: "UMS-77", due_on: "2026-11-29", opened_at: "2026-11-20T03:00:00Z", updated_at: "2026-11-21T03:00:00Z", lookup: { by: "voucher", voucher: "000123" } },
  ],
  reconcile_at_head_office: () => ({
    matched: 58,
    report: { from: "2026-11-21T00:00:00", to: "2026-11-22T00:00:00", journal_transactions: 59, statement_lines: 59, matches: [], discrepancies: [], totals: [] },
    discrepancy_shops: [],
    shops: [
      { shop_id: "nanjing-rd", shop_name: "南京路店", merchant_ids: ["898310048990001"], terminals: ["20000001"], journal_count: 30, journal_minor: 300000, statement_count: 30, statement_minor: 300000, difference_minor: 0, discrepancies: 0 },
      { shop_id: "xujiahui", shop_name: "徐家汇店", merchant_ids: ["898310048990002"], terminals: ["21000001"], journal_count: 29, journal_minor: 290000, statement_count: 28, statement_minor: 281100, difference_minor: -8900, discrepancies: 1 },
    ],
  }),
  search_head_office: (args) =>
    args.text === "000123"
      ? [
          { shop_id: "nanjing-rd", shop_name: "南京路店", seq: 7, terminal_id: "20000001", merchant_id: "898310048990001", batch_no: "000004", trace_no: "000123", kind: "sale", outcome: "approved", amount_minor: 25531, currency: "CNY", occurred_at: "2026-11-20T12:57:00", rrn: "600000000123", auth_code: "123456", pan: "622588******5715" },
          { shop_id: "xujiahui", shop_name: "徐家汇店", seq: 9, terminal_id: "21000001", merchant_id: "898310048990002", batch_no: "000002", trace_no: "000123", kind: "sale", outcome: "approved", amount_minor: 1800, currency: "CNY", occurred_at: "2026-11-19T09:12:00", rrn: "610000000123", auth_code: "654321", pan: null },
        ]
      : [],
  set_watch_folder: (args) => (watchStatus = { ...watchStatus, folder: args.folder, last_import: args.folder ? { file: "交易明细1121.csv", at: "2026-11-22T03:00:00Z", new_lines: 40 } : null }),
  set_backup_plan: (args) => (backupStatus = { ...backupStatus, plan: args.plan, since: "2026-11-22T03:00:00Z" }),
  backup_now: () => (backupStatus = { ...backupStatus, last_at: "2026-11-22T03:05:00Z", last_path: "/media/usb/slipkeeper-backup-20261122-110500.db" }),
  backup_copies: () =>
    backupStatus.last_at
      ? [
          { name: "slipkeeper-backup-20261122-110500.db", made_at: "2026-11-22T11:05:00", size_bytes: 4718592 },
          { name: "slipkeeper-backup-20261121-040000.db", made_at: "2026-11-21T04:00:00", size_bytes: 4194304 },
        ]
      : [],
  restore_backup_copy: { checked: 4002, head: "ab", problems: [] },
  import_statement: { file: "s.csv", mapping_id: "generic-zh", encoding: "gb18030", lines: 40, statement_id: 1, same_file: false, new_lines: 40, known_lines: 0 },
};
CASE_PAGE.plan = answers.contact_plan;

// What each screen must show, per language, after its first answers arrive.
const SCREENS = [
  { nav: "home", id: "screen-home", zh: ["2003", "提醒", "今天", "终端: 已连接", "缺少凭证号 000042"], en: ["2003", "Alerts", "voucher 000042", "Terminal: Connected"] },
  { nav: "connect", id: "screen-connect", zh: ["已连接，正在同步", "终端号 52523535", "终端记了 37 笔", "4123.00 元", "本机日志 36", "日志少了 1 笔"], en: ["Connected, mirroring", "Terminal 52523535", "counted 37", "RMB 4123.00", "journal has 36", "1 fewer"] },
  { nav: "journal", id: "screen-journal", zh: ["1 笔交易", "600000000012"], en: ["1 transactions", "600000000012"] },
  { nav: "reprint", id: "screen-reprint", zh: ["凭证号", "保存 PDF"], en: ["Voucher no.", "Save PDF"] },
  { nav: "solver", id: "screen-solver", zh: ["出了什么问题", "撤销失败"], en: ["What is the problem", "Void failed"] },
  { nav: "cases", id: "screen-cases", zh: ["SK-1", "待处理", "中国银联", "2026-11-29（还剩 7 天）"], en: ["SK-1", "Open", "China UnionPay", "2026-11-29（7 days left）"] },
  { nav: "reconcile", id: "screen-reconcile", zh: ["日志有、对账单没有", "-255.05 元"], en: ["In the journal, not on the statement", "RMB -255.05"] },
  { nav: "settings", id: "screen-settings", zh: ["商户资料", "中国银联", "95516", "/data/journal.db", "50.0 MB", "000003", "2026-11-21 23:00:00"], en: ["Shop details", "China UnionPay", "95516", "Open data folder", "Open batch", "10000002"] },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
let passed = 0;
let failed = 0;
// The mocked IPC answers from the test's side: wait (up to 5 s) until a call arrived.
const until = async (called) => {
  for (let i = 0; i < 100 && !called(); i++) await new Promise((r) => setTimeout(r, 50));
};
// The answer of a journal of count() made-up transactions with ids 1…count(), newest
// first: row i of the list of those up to id `top` is at(i, top), as the core answers.
const mockedJournal = (count, at) => ({ form: query }) => {
  const top = Math.min(count(), query.upto_id ?? Infinity);
  const items = [];
  for (let i = query.offset; i < Math.min(top, query.offset + query.limit); i++) items.push(at(i, top));
  return { total: top, more: false, offset: query.offset, upto_id: top, items };
};
const check = async (name, fn) => {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAILED - ${name}: ${e.message.split("\n")[0]}`);
  }
};
try {
  for (const lang of ["zh", "en"]) {
    link = CONNECTED;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const calls = [];
    await page.exposeFunction("__answer", (cmd, args) => {
      calls.push({ cmd, args });
      if (!(cmd in answers)) throw new Error(`no mocked answer for ${cmd}`);
      const a = answers[cmd];
      const answer = typeof a === "function" ? a(args) : a;
      // An answer { __error } is the core failing with that {code, message, field}.
      return answer;
    });
    await page.addInitScript((l) => {
      localStorage.setItem("lang", l);
      window.__TAURI_INTERNALS__ = {
        // Commands that answer raw bytes arrive as an ArrayBuffer; the mock sends base64.
        invoke: async (cmd, args) => {
          if (cmd === "watch_link") {
            // The core's stream of link statuses: the current one at once, then
            // whatever the test pushes with __pushLink, in order, like a Channel.
            await window.__answer(cmd, { token: args.token });
            const deliver = window.__callbacks[args.updates.id];
            let index = 0;
            window.__pushLink = (message) => deliver({ index: index++, message });
            window.__pushLink(await window.__answer("link_status", {}));
            return new Promise(() => {}); // streams until the screen is left
          }
          const a = await window.__answer(cmd, args);
          if (a && a.__error) throw a.__error;
          return cmd === "reprint_pdf_preview" ? Uint8Array.from(atob(a), (c) => c.charCodeAt(0)).buffer : a;
        },
        transformCallback: (cb) => {
          window.__callbacks ??= {};
          const id = Object.keys(window.__callbacks).length + 1;
          window.__callbacks[id] = cb;
          return id;
        },
        unregisterCallback: (id) => delete window.__callbacks?.[id],
        metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
      };
    }, lang);
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    for (const s of SCREENS) {
      await check(`${lang}: ${s.nav}`, async () => {
        await page.click(`[data-testid=nav-${s.nav}]`);
        const el = page.locator(`[data-testid=${s.id}]`);
        await el.waitFor({ timeout: 5000 });
        for (const want of s[lang]) await page.getByText(want, { exact: false }).first().waitFor({ timeout: 5000 });
        const body = await page.locator("body").innerText();
        for (const bad of ["undefined", "NaN", "[object Object]"]) if (body.includes(bad)) throw new Error(`"${bad}" on screen`);
        // An untranslated key looks like "nav.home" or "solver.step1" (a file name in a
        // path, like "/data/journal.db", is not one).
        const key = body.match(/(?<![\/\w])(?:app|nav|home|journal|reprint|solver|complaint|cases|status|reconcile|settings|error|common|kind|outcome|connect|find|profile|welcome)\.[a-zA-Z_.]+\b/);
        if (key) throw new Error(`untranslated key ${key[0]}`);
        // Internal codes (DISPUTE_RESPOND, APPROVED_ASK_ACQUIRER) are not words for the owner.
        const code = body.match(/\b[A-Z]{3,}_[A-Z_]{3,}\b/);
        if (code) throw new Error(`internal code ${code[0]} on screen`);
        await page.screenshot({ path: `${OUT}${s.nav}-${lang}.png` });
      });
    }
    await check(`${lang}: the problem solver walks to a verified pack`, async () => {
      await page.click("[data-testid=nav-solver]");
      await page.click("[data-testid=complaint-dispute]");
      await page.fill("[data-testid=solver-value]", "7");
      await page.fill("[data-testid=solver-terminal]", "10000001");
      await page.click("[data-testid=solver-diagnose]");
      await page.locator("[data-testid=diagnosis]").getByText("DISPUTE_RESPOND").waitFor({ timeout: 5000 });
      await page.click("[data-testid=solver-open-case]");
      await page.locator("[data-testid=plan]").waitFor({ timeout: 5000 });
      await page.click("[data-testid=solver-pack]");
      await page.locator("[data-testid=pack-verified]").waitFor({ timeout: 5000 });
      const diag = calls.find((c) => c.cmd === "diagnose");
      if (JSON.stringify(diag.args) !== JSON.stringify({ complaint: "dispute", lookup: { by: "txn", id: 107 } }))
        throw new Error(`diagnose called with ${JSON.stringify(diag.args)}`);
    });
    const ask = async (complaint, value) => {
      await page.click("[data-testid=nav-home]");
      await page.click("[data-testid=nav-solver]");
      await page.click("[data-testid=solver-reset]");
      await page.click(`[data-testid=complaint-${complaint}]`);
      await page.fill("[data-testid=solver-value]", value);
      await page.click("[data-testid=solver-diagnose]");
    };
    const zh = lang === "zh";
    await check(`${lang}: a voucher only the acquirer's statement has is diagnosed by its RRN`, async () => {
      const before = calls.length;
      await ask("void_failed", "999");
      await until(() => calls.slice(before).some((c) => c.cmd === "diagnose"));
      const diag = calls.slice(before).find((c) => c.cmd === "diagnose");
      if (JSON.stringify(diag.args) !== JSON.stringify({ complaint: "void_failed", lookup: { by: "rrn", rrn: "612345678901" } }))
        throw new Error(`diagnose called with ${JSON.stringify(diag.args)}`);
    });
    await check(`${lang}: a pre-authorisation is answered as a hold, with no case to open`, async () => {
      await ask("charged_twice", "11");
      const d = page.locator("[data-testid=diagnosis]");
      await d.getByText(zh ? "只是冻结，还不是扣款" : "a hold, not a charge").first().waitFor({ timeout: 5000 });
      await d.getByText(zh ? "做预授权撤销" : "cancel the pre-authorisation at the terminal").first().waitFor({ timeout: 5000 });
      await page.getByText(zh ? "不需要联系收单机构" : "No need to contact the acquirer").first().waitFor({ timeout: 5000 });
      if (await page.locator("[data-testid=solver-open-case]").count()) throw new Error("a hold offered a case with the acquirer");
    });
    await check(`${lang}: one live charge is said plainly, with the warning shown`, async () => {
      await ask("charged_twice", "12");
      const d = page.locator("[data-testid=diagnosis]");
      await d.getByText(zh ? "只扣了一次款" : "Charged once").first().waitFor({ timeout: 5000 });
      await d.getByText(zh ? "不要撤销这笔" : "Do not void it").first().waitFor({ timeout: 5000 });
      await page.locator("[data-testid=diagnosis-warnings]").getByText(zh ? "其他批次" : "other batches").waitFor({ timeout: 5000 });
      if (await page.locator("[data-testid=solver-open-case]").count()) throw new Error("one charge offered a case with the acquirer");
    });
    await check(`${lang}: when the journal cannot decide, the questions tell the causes apart`, async () => {
      await ask("not_in_acquirer_back_end", "13");
      await page.locator("[data-testid=undecided]").waitFor({ timeout: 5000 });
      if (await page.locator("[data-testid=check-answer-0]").count()) throw new Error("an answer shown before the question was answered");
      await page.click("[data-testid=check-yes-0]");
      await page.locator("[data-testid=check-answer-0]").getByText(zh ? "上送丢失" : "lost transmission").waitFor({ timeout: 5000 });
      await page.locator("[data-testid=check-answer-0]").getByText(zh ? "收单机构客服" : "The acquirer's hotline").waitFor({ timeout: 5000 });
      await page.locator("[data-testid=solver-open-case]").waitFor({ timeout: 5000 });
    });
    await check(`${lang}: a voucher in several batches is a list to pick from, never a question about flags`, async () => {
      await ask("void_failed", "7");
      await page.locator("[data-testid=solver-found]").getByText(zh ? "请选出顾客说的那一笔" : "pick the one the customer means").waitFor({ timeout: 5000 });
      if (await page.locator("[data-testid=diagnosis]").count()) throw new Error("diagnosed before a pick");
      await page.click("[data-testid=hit-pick][data-batch='000002']");
      await page.locator("[data-testid=diagnosis]").waitFor({ timeout: 5000 });
      const last = calls.filter((c) => c.cmd === "diagnose").pop();
      if (JSON.stringify(last.args.lookup) !== JSON.stringify({ by: "txn", id: 200 })) throw new Error(`diagnose called with ${JSON.stringify(last.args)}`);
      // Away to Settings and back: the problem and its answer are still there.
      await page.click("[data-testid=nav-settings]");
      await page.click("[data-testid=nav-solver]");
      await page.locator("[data-testid=diagnosis]").waitFor({ timeout: 5000 });
      if ((await page.inputValue("[data-testid=solver-value]")) !== "7") throw new Error("the solver forgot what was typed");
    });
    await check(`${lang}: Settings joins head office, leaves it, and searches every shop`, async () => {
      await page.click("[data-testid=nav-settings]");
      await page.locator("[data-testid=hq-not-joined]").waitFor({ timeout: 5000 });
      await page.fill("[data-testid=hq-address]", "postgres://slipkeeper_shop_nanjing-rd@hq.example/slipkeeper?sslmode=require");
      await page.click("[data-testid=hq-join]");
      await page.locator("[data-testid=head-office] .error, [data-testid=head-office] [role=alert]").first().waitFor({ timeout: 5000 });
      await page.fill("[data-testid=hq-password]", "shop-password-1");
      await page.fill("[data-testid=hq-every]", "30");
      await page.click("[data-testid=hq-join]");
      await page.locator("[data-testid=hq-joined] b").getByText("nanjing-rd").waitFor({ timeout: 5000 });
      const join = calls.filter((c) => c.cmd === "join_head_office").pop();
      if (join?.args.password !== "shop-password-1" || join?.args.every_seconds !== 30) throw new Error(`join_head_office with ${JSON.stringify(join?.args)}`);
      if ((await page.locator("[data-testid=hq-joined]").innerText()).includes("shop-password-1")) throw new Error("the password is shown");
      await page.locator("[data-testid=hq-sending]").getByText("1990 / 2003").waitFor({ timeout: 5000 });
      await page.locator("[data-testid=hq-sending-error]").getByText("connection refused").waitFor({ timeout: 5000 });
      await page.click("[data-testid=hq-leave]");
      await page.locator("[data-testid=hq-not-joined]").waitFor({ timeout: 5000 });
      await page.fill("[data-testid=hq-reader-address]", "postgres://owner@hq.example/slipkeeper");
      await page.fill("[data-testid=hq-reader-password]", "owner-password-1");
      await page.fill("[data-testid=hq-search-text]", "000123");
      await page.click("[data-testid=hq-search]");
      const rows = page.locator("[data-testid=hq-rows] tbody tr");
      await rows.first().waitFor({ timeout: 5000 });
      if ((await rows.count()) !== 2) throw new Error(`${await rows.count()} rows`);
      const text = await page.locator("[data-testid=hq-rows]").innerText();
      for (const want of ["南京路店", "徐家汇店", "622588******5715", lang === "zh" ? "255.31 元" : "RMB 255.31"]) if (!text.includes(want)) throw new Error(`"${want}" not in ${text}`);
      const q = calls.filter((c) => c.cmd === "search_head_office").pop();
      if (q?.args.password !== "owner-password-1" || q?.args.text !== "000123") throw new Error(`search_head_office with ${JSON.stringify(q?.args)}`);
      // A row diagnosed at head office names its shop and asks for that shop's voucher.
      await page.locator("[data-testid=hq-diagnose]").nth(1).click();
      await page.locator("[data-testid=hq-diagnosis]").getByText("徐家汇店").waitFor({ timeout: 5000 });
      const d = calls.filter((c) => c.cmd === "diagnose_at_head_office").pop();
      if (d?.args.shop_id !== "xujiahui" || d?.args.lookup?.voucher !== "000123" || d?.args.lookup?.terminal !== "21000001") throw new Error(`diagnose_at_head_office with ${JSON.stringify(d?.args)}`);
      await page.click("[data-testid=hq-cases]");
      const caseText = await page.locator("[data-testid=hq-case-rows]").innerText();
      for (const want of ["徐家汇店", "#3", "2026-11-29", lang === "zh" ? "撤销失败" : "Void failed"]) if (!caseText.includes(want)) throw new Error(`"${want}" not in ${caseText}`);
      await page.click("[data-testid=hq-reconcile]");
      const totals = await page.locator("[data-testid=hq-shop-totals]").innerText();
      for (const want of ["南京路店", "898310048990002", lang === "zh" ? "-89.00 元" : "RMB -89.00"]) if (!totals.includes(want)) throw new Error(`"${want}" not in ${totals}`);
      const pickStatement = calls.filter((c) => c.cmd === "choose_path").pop();
      if (pickStatement?.args.purpose !== "statement") throw new Error(`the statement was not picked: ${JSON.stringify(pickStatement?.args)}`);
      const rec = calls.filter((c) => c.cmd === "reconcile_at_head_office").pop();
      if (rec?.args.path !== "/data/statement-2026-11.csv") throw new Error(`reconcile_at_head_office with ${JSON.stringify(rec?.args)}`);
      await page.fill("[data-testid=hq-search-text]", "999999");
      await page.click("[data-testid=hq-search]");
      await page.locator("[data-testid=hq-none]").waitFor({ timeout: 5000 });
    });
    await check(`${lang}: Settings sets the log level, opens the logs and saves a support bundle`, async () => {
      await page.click("[data-testid=nav-settings]");
      await page.selectOption("[data-testid=log-level]", "debug");
      await page.locator("[data-testid=log-level-saved]").waitFor({ timeout: 5000 });
      if (!calls.some((c) => c.cmd === "set_log_level" && c.args.level === "debug")) throw new Error("set_log_level not called with debug");
      await page.click("[data-testid=logs-open]");
      if (!calls.some((c) => c.cmd === "open_path" && c.args.path === "/data/logs")) throw new Error("the log folder was not opened");
      await page.click("[data-testid=support-bundle]");
      await page.locator("[data-testid=bundle-done]").getByText("slipkeeper-support-20261122.zip").waitFor({ timeout: 5000 });
      const pick = calls.find((c) => c.cmd === "choose_path" && c.args.purpose === "bundle");
      if (!/^\/data\/slipkeeper-support-\d{8}\.zip$/.test(pick?.args?.default_path ?? "")) throw new Error(`bundle dialog: ${JSON.stringify(pick?.args)}`);
    });
    await check(`${lang}: Home says when the link service is not running, and starts it`, async () => {
      link = { ...CONNECTING, state: "no_service", endpoint: "" };
      await page.click("[data-testid=nav-connect]");
      await page.click("[data-testid=nav-home]");
      await page.locator("[data-testid=home-service-down]").getByText(lang === "zh" ? "后台同步服务没有运行" : "The link service is not running").waitFor({ timeout: 5000 });
      await page.click("[data-testid=home-start-service]");
      await page.locator("[data-testid=home-service-down]").waitFor({ state: "detached", timeout: 5000 });
      if (!calls.some((c) => c.cmd === "start_service")) throw new Error("start_service was not called");
    });
    await check(`${lang}: a serial proxy takes the terminal's and the register's ports`, async () => {
      await page.click("[data-testid=nav-connect]");
      await page.click("[data-testid=mode-serial_proxy]");
      await page.locator("[data-testid=serial-proxy-register]").getByText("/dev/ttyUSB0", { exact: false }).waitFor({ state: "attached", timeout: 5000 });
      await page.click("[data-testid=link-connect]");
      const c = calls.filter((x) => x.cmd === "connect_terminal").pop();
      if (JSON.stringify(c?.args) !== JSON.stringify({ request: { kind: "serial_proxy", register: "/dev/ttyUSB0", terminal: "/dev/ttyACM0", baud: 9600 } }))
        throw new Error(`connect_terminal called with ${JSON.stringify(c?.args)}`);
    });
    await check(`${lang}: connecting to a LAN terminal sends its address to the core`, async () => {
      await page.click("[data-testid=nav-connect]");
      await page.click("[data-testid=mode-lan]");
      await page.fill("[data-testid=lan-host]", "192.168.1.20");
      await page.click("[data-testid=link-connect]");
      await page.getByText(lang === "zh" ? "正在连接" : "Connecting", { exact: false }).first().waitFor({ timeout: 5000 });
      const c = calls.filter((x) => x.cmd === "connect_terminal").pop();
      if (JSON.stringify(c?.args) !== JSON.stringify({ request: { kind: "lan", host: "192.168.1.20", port: 20007 } }))
        throw new Error(`connect_terminal called with ${JSON.stringify(c?.args)}`);
      await page.click("[data-testid=mode-serial]");
      await page.locator("[data-testid=serial-device]").getByText("/dev/ttyACM0", { exact: false }).waitFor({ state: "attached", timeout: 5000 });
    });
    await check(`${lang}: the Connect screen follows the link's progress as the core pushes it`, async () => {
      await page.click("[data-testid=nav-home]");
      await page.click("[data-testid=nav-connect]");
      await page.waitForFunction(() => typeof window.__pushLink === "function", null, { timeout: 5000 });
      const polled = calls.filter((c) => c.cmd === "link_status").length;
      const progress = { ...CONNECTED.progress, transactions: 4321, frames: 43210 };
      await page.evaluate((p) => window.__pushLink({ ...p.s, progress: p.progress, per_minute: 12.5 }), { s: CONNECTED, progress });
      // The link's counters are behind the details toggle, closed at first.
      if (await page.locator("[data-testid=link-progress]").isVisible()) throw new Error("the protocol counters show without being asked for");
      await page.click("[data-testid=link-details] summary");
      await page.locator("[data-testid=screen-connect]").getByText("4321").first().waitFor({ timeout: 5000 });
      await new Promise((r) => setTimeout(r, 1500));
      // Shown from the push; the screen did not go back to asking every second.
      const asked = calls.filter((c) => c.cmd === "link_status").length - polled;
      if (asked > 1) throw new Error(`link_status asked ${asked} times while the stream runs`);
      const w = calls.filter((c) => c.cmd === "watch_link").pop();
      await page.click("[data-testid=nav-home]");
      await until(() => calls.some((c) => c.cmd === "unwatch_link" && c.args.token === w.args.token));
      if (!calls.some((c) => c.cmd === "unwatch_link" && c.args.token === w.args.token)) throw new Error("leaving the screen did not end its stream");
    });
    await check(`${lang}: back up and restore through the native file pickers`, async () => {
      await page.click("[data-testid=nav-settings]");
      await page.click("[data-testid=data-backup]");
      await page.locator("[data-testid=backup-done]").getByText("slipkeeper-backup-20261122.db").waitFor({ timeout: 5000 });
      const save = calls.find((c) => c.cmd === "choose_path" && c.args.purpose === "backup");
      if (save?.args?.purpose !== "backup" || !/^\/data\/slipkeeper-backup-\d{8}\.db$/.test(save?.args?.default_path ?? ""))
        throw new Error(`save dialog opened with ${JSON.stringify(save?.args)}`);
      const b = calls.find((c) => c.cmd === "backup_journal");
      if (b?.args?.path !== "/data/slipkeeper-backup-20261122.db") throw new Error(`backup_journal with ${JSON.stringify(b?.args)}`);
      await page.click("[data-testid=data-restore]");
      await page.locator("[data-testid=restore-ask]").waitFor({ timeout: 5000 });
      if (calls.some((c) => c.cmd === "restore_journal")) throw new Error("restored before the user confirmed");
      await page.click("[data-testid=restore-confirm]");
      await page.locator("[data-testid=restore-done]").getByText("4006").waitFor({ timeout: 5000 });
      const r = calls.find((c) => c.cmd === "restore_journal");
      if (r?.args?.path !== "/backups/slipkeeper-backup-20261101.db") throw new Error(`restore_journal with ${JSON.stringify(r?.args)}`);
      const opened = calls.filter((c) => c.cmd === "open_path").length;
      await page.click("[data-testid=data-open]");
      await until(() => calls.filter((c) => c.cmd === "open_path").length > opened);
      const o = calls.filter((c) => c.cmd === "open_path").pop();
      if (o?.args?.path !== "/data") throw new Error(`open_path with ${JSON.stringify(o?.args)}`);
      await page.click("[data-testid=nav-reconcile]");
      await page.click("[data-testid=statement-choose]");
      await page.waitForFunction(() => document.querySelector("[data-testid=statement-path]")?.value === "/data/statement-2026-11.csv", null, { timeout: 5000 });
    });
    await check(`${lang}: a receipt printer is set up and a reprint goes to it`, async () => {
      await page.click("[data-testid=nav-settings]");
      await page.fill("[data-testid=printer-receipt]", "192.168.1.30");
      await page.selectOption("[data-testid=printer-width]", "58");
      await page.click("[data-testid=printers-save]");
      await page.locator("[data-testid=printers-saved]").waitFor({ timeout: 5000 });
      const s = calls.find((c) => c.cmd === "set_printers");
      if (JSON.stringify(s?.args) !== JSON.stringify({ printers: { receipt: "192.168.1.30", receipt_width_mm: 58, system: null } }))
        throw new Error(`set_printers with ${JSON.stringify(s?.args)}`);
      // What the core stored (with the port it added) is what the screen shows now.
      if ((await page.inputValue("[data-testid=printer-receipt]")) !== "192.168.1.30:9100") throw new Error("stored address not shown");
      await page.click("[data-testid=nav-reprint]");
      await page.fill("[data-testid=reprint-voucher]", "7");
      await page.click("[data-testid=reprint-receipt]");
      await page.locator("[data-testid=reprint-printed]").waitFor({ timeout: 5000 });
      const r = calls.find((c) => c.cmd === "reprint_receipt");
      if (JSON.stringify(r?.args) !== JSON.stringify({ request: { voucher_no: "7", terminal_id: null, batch_no: null, line_id: null, copy: "both" } }))
        throw new Error(`reprint_receipt with ${JSON.stringify(r?.args)}`);
    });
    await check(`${lang}: an acquirer is checked against the contract and saved`, async () => {
      await page.click("[data-testid=nav-settings]");
      await page.click("[data-testid=acquirer-edit-cup]");
      await page.fill("[data-testid=acquirer-hotline]", " 400-123 4567 ");
      await page.fill("[data-testid=acquirer-days]", "3");
      await page.check("[data-testid=acquirer-verified]");
      await page.click("[data-testid=acquirer-save]");
      await page.locator("[data-testid=acquirer-cup]").getByText(lang === "zh" ? "已核对" : "checked").waitFor({ timeout: 5000 });
      await page.locator("[data-testid=acquirer-cup]").getByText("400-123 4567").waitFor({ timeout: 5000 });
      const a = calls.find((c) => c.cmd === "set_acquirer")?.args?.acquirer;
      if (a?.id !== "cup" || a.verified !== true || a.response_days !== 3) throw new Error(`set_acquirer with ${JSON.stringify(a)}`);
      if (await page.locator("[data-testid=acquirer-form]").count()) throw new Error("the form stays open after saving");
    });
    await check(`${lang}: the cash register proxy starts from the Connect screen`, async () => {
      await page.click("[data-testid=nav-connect]");
      await page.click("[data-testid=mode-proxy]");
      await page.fill("[data-testid=proxy-host]", "192.168.1.20");
      await page.fill("[data-testid=proxy-listen]", "20008");
      await page.click("[data-testid=link-connect]");
      await page.locator("[data-testid=proxy-route]").getByText("192.168.1.20:20007").waitFor({ timeout: 5000 });
      await page.locator("[data-testid=proxy-route]").getByText(":20008", { exact: false }).waitFor({ timeout: 5000 });
      const c = calls.filter((x) => x.cmd === "connect_terminal").pop();
      if (JSON.stringify(c?.args) !== JSON.stringify({ request: { kind: "proxy", listen_port: 20008, host: "192.168.1.20", port: 20007 } }))
        throw new Error(`connect_terminal called with ${JSON.stringify(c?.args)}`);
      await page.getByText(lang === "zh" ? "代理运行中" : "Proxy running").first().waitFor({ timeout: 5000 });
    });
    await check(`${lang}: the journal searches in the chosen field with filters`, async () => {
      await page.click("[data-testid=nav-journal]");
      // Types and outcomes read in the owner's language.
      for (const word of lang === "zh" ? ["消费", "成功"] : ["Sale", "Approved"])
        await page.locator("[data-testid=journal] td").getByText(word, { exact: true }).first().waitFor({ timeout: 5000 });
      await page.selectOption("[data-testid=search-mode]", "auth");
      await page.fill("[data-testid=search]", "907880");
      await page.selectOption("[data-testid=filter-terminal]", "10000002");
      await page.selectOption("[data-testid=filter-outcome]", "declined");
      await page.fill("[data-testid=filter-batch]", "1");
      await page.fill("[data-testid=filter-from]", "2026-11-01");
      await page.fill("[data-testid=filter-to]", "2026-11-30");
      const want = JSON.stringify({
        form: { search: "907880", mode: "auth", from: "2026-11-01", to: "2026-11-30", terminal: "10000002", batch: "1", outcome: "declined", kind: null, around: "", offset: 0, limit: 100, upto_id: null },
      });
      await until(() => calls.some((c) => c.cmd === "search_journal" && JSON.stringify(c.args) === want));
      const last = calls.filter((c) => c.cmd === "search_journal").pop();
      if (JSON.stringify(last?.args) !== want) throw new Error(`search_journal with ${JSON.stringify(last?.args)}`);
    });
    await check(`${lang}: the journal says how it read the search box and offers close amounts`, async () => {
      await page.click("[data-testid=nav-home]");
      await page.click("[data-testid=nav-journal]");
      await page.fill("[data-testid=search]", "255");
      const read = page.locator("[data-testid=read-as]");
      await read.getByText(zh ? "凭证号、金额（整数元）" : "voucher no.、amount (whole yuan)").waitFor({ timeout: 5000 });
      await page.locator("[data-testid=near]").getByText("254.90").waitFor({ timeout: 5000 });
      await page.locator("td.hit").first().waitFor({ timeout: 5000 });
      await page.locator("[data-testid=near] button").first().click();
      await page.locator("[data-testid=detail]").waitFor({ timeout: 5000 });
      if (!calls.some((c) => c.cmd === "transaction_detail" && c.args.id === 400)) throw new Error("a near amount did not open its transaction");
      await page.fill("[data-testid=search]", "");
    });
    await check(`${lang}: a reprint starts from what the owner remembers, picked from a list`, async () => {
      await page.click("[data-testid=nav-reprint]");
      await page.fill("[data-testid=reprint-find]", "7");
      await page.click("[data-testid=reprint-find-go]");
      await page.locator("[data-testid=hits]").getByText(zh ? "请选出顾客说的那一笔" : "pick the one the customer means").waitFor({ timeout: 5000 });
      await page.click("[data-testid=hit-pick][data-batch='000002']");
      await until(() => calls.some((c) => c.cmd === "reprint_preview" && c.args.request.voucher_no === "000007"));
      const last = calls.filter((c) => c.cmd === "reprint_preview").pop();
      // The batch picked goes with it: a voucher number may be in more than one.
      if (last?.args.request.voucher_no !== "000007" || last?.args.request.terminal_id !== "10000001" || last?.args.request.batch_no !== "000002")
        throw new Error(`reprint_preview with ${JSON.stringify(last?.args)}`);
      if ((await page.inputValue("[data-testid=reprint-voucher]")) !== "000007") throw new Error("the picked voucher is not in the form");
    });
    await check(`${lang}: a case opens from Home, shows its deadline and is marked submitted`, async () => {
      casePage = CASE_PAGE;
      await page.click("[data-testid=nav-home]");
      await page.click("[data-testid=home-case-1]");
      const due = page.locator("[data-testid=case-due]");
      await due.getByText("2026-11-29").waitFor({ timeout: 5000 });
      await due.getByText(zh ? "还剩 7 天" : "7 days left").waitFor({ timeout: 5000 });
      await page.fill("[data-testid=case-note]", "已致电 95516");
      await page.click("[data-testid=case-set-submitted]");
      await page.locator("[data-testid=case-status]").getByText(zh ? "已提交" : "Submitted").waitFor({ timeout: 5000 });
      await page.locator("[data-testid=case-history]").getByText("已致电 95516").waitFor({ timeout: 5000 });
      const upd = calls.filter((c) => c.cmd === "update_case").pop();
      if (JSON.stringify(upd?.args) !== JSON.stringify({ id: 1, update: { status: "submitted", note: "已致电 95516", acquirer_ref: null } })) throw new Error(`update_case with ${JSON.stringify(upd?.args)}`);
      if (await page.locator("[data-testid=case-set-submitted]").count()) throw new Error("a submitted case offers to be submitted again");
      await page.screenshot({ path: `${OUT}case-${lang}.png` });
      // Back to the list, and the list opens the page too.
      await page.click("[data-testid=case-back]");
      await page.click("[data-testid=case-row-1]");
      await page.locator("[data-testid=case-page]").waitFor({ timeout: 5000 });
      await page.click("[data-testid=nav-cases]");
      await page.locator("[data-testid=cases]").waitFor({ timeout: 5000 });
    });
    await check(`${lang}: automatic backups go to a folder picked in the dialog, and one is made now`, async () => {
      backupStatus = { plan: { folder: null, keep: 7 }, last_at: null, last_path: null, last_error: null, since: null, overdue: false };
      await page.click("[data-testid=nav-home]");
      await page.locator("[data-testid=home-backup]").getByText(zh ? "从未" : "never").waitFor({ timeout: 5000 });
      await page.click("[data-testid=home-backup-setup]");
      await page.click("[data-testid=auto-backup-choose]");
      await page.locator("[data-testid=auto-backup-folder]").getByText("/media/usb").waitFor({ timeout: 5000 });
      const set = calls.filter((c) => c.cmd === "set_backup_plan").pop();
      if (JSON.stringify(set?.args) !== JSON.stringify({ plan: { folder: "/media/usb", keep: 7 } })) throw new Error(`set_backup_plan with ${JSON.stringify(set?.args)}`);
      await page.click("[data-testid=auto-backup-now]");
      await page.locator("[data-testid=auto-backup-last]").getByText(/2026-11-22 \d\d:05/).waitFor({ timeout: 5000 });
      // The copies in the folder are listed, newest first; a restore from one names it
      // (no path from the window) and waits for the owner's yes.
      await page.locator("[data-testid=auto-backup-copies]").getByText("2026-11-21 04:00:00").waitFor({ timeout: 5000 });
      await page.click("[data-testid=auto-backup-restore-1]");
      await page.locator("[data-testid=restore-ask]").getByText("slipkeeper-backup-20261121-040000.db").waitFor({ timeout: 5000 });
      if (calls.some((c) => c.cmd === "restore_backup_copy")) throw new Error("restored before the owner confirmed");
      await page.click("[data-testid=restore-confirm]");
      await page.locator("[data-testid=restore-done]").getByText("4002").waitFor({ timeout: 5000 });
      const r = calls.filter((c) => c.cmd === "restore_backup_copy").pop();
      if (JSON.stringify(r?.args) !== JSON.stringify({ name: "slipkeeper-backup-20261121-040000.db" })) throw new Error(`restore_backup_copy with ${JSON.stringify(r?.args)}`);
    });
    await check(`${lang}: the first start asks for the shop's details, prefilled from the slips`, async () => {
      const saved = answers.merchant_profile;
      answers.merchant_profile = { shop_name: null, merchant_id: null, address: null, contact_person: null, phone: null, email: null };
      try {
        await page.click("[data-testid=nav-settings]");
        await page.click("[data-testid=nav-home]");
        await page.locator("[data-testid=welcome]").waitFor({ timeout: 5000 });
        if ((await page.inputValue("[data-testid=welcome-shop]")) !== "喆堃便利店") throw new Error("the shop name is not prefilled from the slips");
        if ((await page.inputValue("[data-testid=welcome-merchant]")) !== "898310048990001") throw new Error("the merchant number is not prefilled");
        await page.fill("[data-testid=welcome-contact]", "王老板");
        await page.fill("[data-testid=welcome-phone]", "13800000000");
        await page.click("[data-testid=welcome-save]");
        await page.locator("[data-testid=welcome]").waitFor({ state: "detached", timeout: 5000 });
        const set = calls.filter((c) => c.cmd === "set_merchant_profile").pop();
        if (set?.args.profile.shop_name !== "喆堃便利店" || set?.args.profile.contact_person !== "王老板") throw new Error(`set_merchant_profile with ${JSON.stringify(set?.args)}`);
      } finally {
        answers.merchant_profile = saved;
      }
    });
    await check(`${lang}: a shop whose terminal cannot be connected picks its statements folder on the first start`, async () => {
      const saved = answers.merchant_profile;
      answers.merchant_profile = { shop_name: null, merchant_id: null, address: null, contact_person: null, phone: null, email: null };
      watchStatus = { folder: null, last_scan_at: null, last_import: null, last_error: null };
      try {
        await page.click("[data-testid=nav-settings]");
        await page.click("[data-testid=nav-home]");
        await page.click("[data-testid=welcome-no-link]");
        await page.click("[data-testid=welcome] [data-testid=watch-choose]");
        await page.locator("[data-testid=welcome] [data-testid=watch-folder]").getByText("/home/shop/Downloads").waitFor({ timeout: 5000 });
        await page.locator("[data-testid=welcome] [data-testid=watch-last]").getByText("交易明细1121.csv").waitFor({ timeout: 5000 });
        const set = calls.filter((c) => c.cmd === "set_watch_folder").pop();
        if (set?.args.folder !== "/home/shop/Downloads") throw new Error(`set_watch_folder with ${JSON.stringify(set?.args)}`);
        const pick = calls.filter((c) => c.cmd === "choose_path").pop();
        if (pick?.args.purpose !== "statement_folder") throw new Error(`the folder was not picked for statements: ${JSON.stringify(pick?.args)}`);
      } finally {
        answers.merchant_profile = saved;
      }
      await page.click("[data-testid=nav-settings]");
      await page.click("[data-testid=nav-home]");
      await page.locator("[data-testid=home-statement]").getByText("2026-11-21").waitFor({ timeout: 5000 });
    });
    await check(`${lang}: the journal lists a payment only the acquirer's statement has, with its source, and prints the slip rebuilt from it`, async () => {
      await page.click("[data-testid=nav-journal]");
      await page.fill("[data-testid=search]", "999");
      const rows = page.locator("[data-testid=journal-statement] [data-testid=statement-row]");
      await rows.first().waitFor({ timeout: 5000 });
      const text = await rows.first().textContent();
      for (const want of ["交易明细1121.csv #2", "612345678901", "000999"]) if (!text.includes(want)) throw new Error(`${want} missing from ${text}`);
      // The line wraps inside the window: nothing of it (its source) needs scrolling sideways.
      const cut = await page.evaluate(() => {
        const box = document.querySelector("[data-testid=journal-statement]").getBoundingClientRect();
        return [...document.querySelectorAll("[data-testid=statement-row] > *")].some((e) => e.getBoundingClientRect().right > box.right + 1);
      });
      if (cut) throw new Error("a statement line runs past the edge of its box");
      await page.click("[data-testid=statement-print]");
      await page.locator("[data-testid=screen-reprint]").waitFor({ timeout: 5000 });
      await page.click("[data-testid=reprint-preview]");
      await until(() => calls.some((c) => c.cmd === "reprint_preview" && c.args.request.line_id === 77));
      await page.locator("[data-testid=reprint-from-statement]").waitFor({ timeout: 5000 });
      // Typing another voucher forgets the statement line.
      await page.fill("[data-testid=reprint-voucher]", "7");
      await page.click("[data-testid=reprint-preview]");
      await until(() => calls.filter((c) => c.cmd === "reprint_preview").pop()?.args.request.voucher_no === "7");
      const last = calls.filter((c) => c.cmd === "reprint_preview").pop();
      if (last?.args.request.line_id !== null) throw new Error(`reprint_preview with ${JSON.stringify(last?.args)}`);
      await page.click("[data-testid=nav-journal]");
      await page.fill("[data-testid=search]", "");
    });
    await check(`${lang}: an error about a missing setting says so and leads to Settings`, async () => {
      const saved = answers.reprint_receipt;
      answers.reprint_receipt = { __error: { code: "NOT_SET_UP", message: "no receipt printer is set up yet / 还没有设置小票打印机", field: "receipt" } };
      try {
        await page.click("[data-testid=nav-reprint]");
        await page.fill("[data-testid=reprint-voucher]", "7");
        await page.click("[data-testid=reprint-receipt]");
        const box = page.locator("[data-testid=error]");
        await box.getByText(zh ? "还没有设置：" : "Not set up yet:").waitFor({ timeout: 5000 });
        if ((await box.textContent()).match(/输入有误|Bad input|restart|重启/i)) throw new Error(`a missing printer reads as a mistake: ${await box.textContent()}`);
        await page.click("[data-testid=error-fix]");
        await page.locator("[data-testid=screen-settings]").waitFor({ timeout: 5000 });
      } finally {
        answers.reprint_receipt = saved;
      }
    });
    await check(`${lang}: every Home alert has a button to the screen that deals with it`, async () => {
      for (const [fix, screen, words] of [
        ["reconcile", "screen-reconcile", zh ? "导入对账单核对" : "Import the statement to check"],
        ["connect", "screen-connect", zh ? "去核对终端" : "Check with the terminal"],
        ["journal", "screen-journal", zh ? "在日志里查看" : "Show in the journal"],
      ]) {
        await page.click("[data-testid=nav-home]");
        const button = page.locator(`[data-testid=alert-fix-${fix}]`);
        await button.getByText(words).waitFor({ timeout: 5000 });
        await button.click();
        await page.locator(`[data-testid=${screen}]`).waitFor({ timeout: 5000 });
      }
      await page.click("[data-testid=nav-home]");
    });
    await check(`${lang}: Home says when the journal was last checked and that all is in order`, async () => {
      const saved = answers.home;
      answers.home = { ...saved, alerts: [], unknown_outcomes: 0, checked_at: "2026-11-22T04:31:00Z" };
      try {
        await page.click("[data-testid=nav-settings]");
        await page.click("[data-testid=nav-home]");
        const well = page.locator("[data-testid=home-all-well]");
        await well.getByText(zh ? /上次检查 \d\d:31：/ : /Last checked \d\d:31:/).waitFor({ timeout: 5000 });
        if (await page.locator("[data-testid=home-checking]").count()) throw new Error("still 'checking' with an answer on screen");
      } finally {
        answers.home = saved;
      }
    });
    await check(`${lang}: the journal fits a 1180 px window, and its date filters look empty until set`, async () => {
      await page.setViewportSize({ width: 1180, height: 760 });
      try {
        await page.click("[data-testid=nav-home]");
        await page.click("[data-testid=nav-journal]");
        await page.locator("[data-testid=journal] tr.row").first().waitFor({ timeout: 5000 });
        const fit = await page.evaluate(() => {
          const sc = document.querySelector("[data-testid=journal-scroller]");
          const last = [...document.querySelectorAll("[data-testid=journal] tr.row td")].pop();
          return { scroll: sc.scrollWidth, client: sc.clientWidth, right: last.getBoundingClientRect().right, edge: sc.getBoundingClientRect().right };
        });
        if (fit.scroll > fit.client + 1 || fit.right > fit.edge + 1) throw new Error(`the table is cut: ${JSON.stringify(fit)}`);
        const unset = async () => (await page.getAttribute("[data-testid=filter-from]", "class")).includes("unset");
        if (!(await unset())) throw new Error("an empty date filter looks set");
        await page.fill("[data-testid=filter-from]", "2026-11-01");
        if (await unset()) throw new Error("a chosen date looks empty");
        await page.fill("[data-testid=filter-from]", "");
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });
    for (const [width, height] of [
      [1024, 700],
      [1366, 768],
    ]) {
      await check(`${lang}: every screen fits ${width}×${height}: nothing runs off the edge, no control squeezed to a column`, async () => {
        await page.setViewportSize({ width, height });
        try {
          for (const sc of SCREENS) {
            await page.click(`[data-testid=nav-${sc.nav}]`);
            await page.locator(`[data-testid=${sc.id}]`).waitFor({ timeout: 5000 });
            await page.waitForTimeout(150);
            const bad = await page.evaluate(() => {
              const out = [];
              const doc = document.documentElement;
              if (doc.scrollWidth > doc.clientWidth + 1) out.push(`the page scrolls sideways (${doc.scrollWidth} > ${doc.clientWidth})`);
              const main = document.querySelector("main");
              // The content box: nothing may reach into main's own padding either.
              const edge = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
              const name = (el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ""} "${(el.textContent || el.value || "").trim().slice(0, 20)}"`;
              for (const el of main.querySelectorAll("button, input, select, label, h3, h4, p, table")) {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0) continue;
                // Inside a box that scrolls on its own (the journal's table), a row may be wider.
                let scrolls = false;
                for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
                  const ox = getComputedStyle(a).overflowX;
                  if (ox === "auto" || ox === "scroll") scrolls = true;
                }
                if (!scrolls && r.right > edge + 1) out.push(`${name(el)} runs past the edge (${Math.round(r.right)} > ${Math.round(edge)})`);
                if (el.tagName === "BUTTON") {
                  const line = parseFloat(getComputedStyle(el).lineHeight) || 20;
                  if (r.height > line * 3.2 || r.width < 24) out.push(`${name(el)} squeezed to ${Math.round(r.width)}×${Math.round(r.height)}`);
                }
              }
              return out;
            });
            if (bad.length) throw new Error(`${sc.nav} at ${width}×${height}: ${bad.slice(0, 4).join("; ")}`);
            await page.screenshot({ path: `${OUT}${sc.nav}-${lang}-${width}.png` });
          }
          // The journal's detail panel is above the table's sticky header.
          await page.click("[data-testid=nav-journal]");
          await page.locator("[data-testid=journal] tr.row").first().click();
          await page.locator("[data-testid=detail]").waitFor({ timeout: 5000 });
          const over = await page.evaluate(() => {
            const th = document.querySelector("[data-testid=journal] thead th:last-child").getBoundingClientRect();
            const d = document.querySelector("[data-testid=detail]").getBoundingClientRect();
            const x = Math.max(th.left, d.left) + 2;
            const y = th.top + th.height / 2;
            if (x > Math.min(th.right, d.right) || y < d.top || y > d.bottom) return null;
            const top = document.elementFromPoint(x, y);
            return top && !top.closest("[data-testid=detail]") ? top.tagName : null;
          });
          if (over) throw new Error(`the journal's header (${over}) paints over the detail panel`);
          await page.click("[data-testid=detail-close]");
        } finally {
          await page.setViewportSize({ width: 1280, height: 800 });
        }
      });
    }
    await check(`${lang}: letters in the batch filter get a message naming the field`, async () => {
      const saved = answers.search_journal;
      // What the core answers (crates/app/src/forms.rs): BAD_INPUT about the field.
      answers.search_journal = (args) =>
        /\D/.test(args.form.batch) ? { __error: { code: "BAD_INPUT", message: `batch: "${args.form.batch}" is not a batch number (1 to 6 digits)`, field: "batch" } } : typeof saved === "function" ? saved(args) : saved;
      try {
        await page.fill("[data-testid=filter-batch]", "abc");
        const box = page.locator("[data-testid=error]");
        await box.getByText(lang === "zh" ? "批次号" : "Batch", { exact: true }).waitFor({ timeout: 5000 });
        const said = await box.textContent();
        if (!said.includes(lang === "zh" ? "输入有误" : "check what you entered")) throw new Error(`the message says ${said}`);
        if (said.includes(lang === "zh" ? "重启" : "restart")) throw new Error(`a typo is called an internal error: ${said}`);
        await page.fill("[data-testid=filter-batch]", "");
        await page.locator("[data-testid=error]").waitFor({ state: "detached", timeout: 5000 });
      } finally {
        answers.search_journal = saved;
      }
    });
    await check(`${lang}: the journal scrolls through a million transactions with only the rows in view in the page`, async () => {
      const N = 1_000_000;
      const saved = answers.search_journal;
      // Row i of the journal, newest first, made up on demand.
      const at = (i) => ({ ...row, id: N - i, txn: { ...txn, trace_no: String(i % 1_000_000).padStart(6, "0"), rrn: `9${String(i).padStart(11, "0")}` } });
      const all = mockedJournal(() => N, at);
      answers.search_journal = (args) =>
        args.form.search ? { total: 1, more: false, offset: 0, items: args.form.offset === 0 ? [at(0)] : [] } : all(args);
      try {
        await page.click("[data-testid=nav-home]");
        await page.click("[data-testid=nav-journal]");
        const rowAt = (i) => page.locator(`[data-testid=journal] tr.row[data-index='${i}']`);
        await rowAt(0).getByText("900000000000").waitFor({ timeout: 5000 });
        await page.getByText(lang === "zh" ? "1000000 笔交易" : "1000000 transactions").first().waitFor({ timeout: 5000 });
        const scroller = page.locator("[data-testid=journal-scroller]");
        const before = calls.length;
        await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
        await rowAt(N - 1).getByText("900000999999").waitFor({ timeout: 5000 });
        const fetched = calls.slice(before).filter((c) => c.cmd === "search_journal").map((c) => c.args.form.offset);
        if (fetched.length > 3 || fetched.some((o) => o < N - 300)) throw new Error(`jumping to the end fetched offsets ${fetched}`);
        const inPage = await page.locator("[data-testid=journal] tr.row").count();
        if (inPage > 80) throw new Error(`${inPage} rows in the page; only the rows in view belong there`);
        const box = await rowAt(N - 1).boundingBox();
        const view = await scroller.boundingBox();
        if (Math.abs(box.height - 36) > 0.5) throw new Error(`a row is ${box.height}px high; the scroll arithmetic assumes 36`);
        if (box.y + box.height > view.y + view.height + 1) throw new Error("the last row is below the end of the table");
        // Halfway down the scroll bar is halfway through the journal.
        await scroller.evaluate((el) => (el.scrollTop = (el.scrollHeight - el.clientHeight) / 2));
        await page.waitForFunction(() => {
          const r = document.querySelector("[data-testid=journal] tr.row:not(.waiting)");
          const i = Number(r?.getAttribute("data-index"));
          return i > 490_000 && i < 510_000 && r.textContent.includes(`9${String(i).padStart(11, "0")}`);
        }, null, { timeout: 5000 });
        await page.screenshot({ path: `${OUT}journal-1m-${lang}.png` });
        // A search typed while scrolled far down shows its one answer from the top.
        await page.fill("[data-testid=search]", "600000000042");
        await rowAt(0).getByText("900000000000").waitFor({ timeout: 5000 });
        if ((await page.locator("[data-testid=journal] tr.row").count()) !== 1) throw new Error("the one match is not the only row");
      } finally {
        answers.search_journal = saved;
      }
    });
    await check(`${lang}: new transactions appear at the top of the journal and later rows move down`, async () => {
      let n = 250;
      const saved = answers.search_journal;
      // Newest first: row i of the list up to transaction `top` is transaction top - i.
      const at = (i, top) => ({ ...row, id: top - i, txn: { ...txn, trace_no: String(top - i).padStart(6, "0"), rrn: `8${String(top - i).padStart(11, "0")}` } });
      answers.search_journal = mockedJournal(() => n, at);
      try {
        await page.click("[data-testid=nav-home]");
        await page.click("[data-testid=nav-journal]");
        const rowAt = (i) => page.locator(`[data-testid=journal] tr.row[data-index='${i}']`);
        const scroller = page.locator("[data-testid=journal-scroller]");
        await rowAt(0).getByText("800000000250").waitFor({ timeout: 5000 });
        // Row 150 seen once (its page is kept), then back to the top.
        await scroller.evaluate((el) => (el.scrollTop = 150 * 36));
        await rowAt(150).getByText("800000000100").waitFor({ timeout: 5000 });
        await scroller.evaluate((el) => (el.scrollTop = 0));
        n = 251;
        await rowAt(0).getByText("800000000251").waitFor({ timeout: 8000 });
        await scroller.evaluate((el) => (el.scrollTop = 150 * 36));
        await rowAt(150).getByText("800000000101").waitFor({ timeout: 5000 });
        // One more arrives while the owner reads down the list: the next page, fetched
        // now, continues the list on screen (row 200 is transaction 51, not 52 again).
        n = 252;
        await new Promise((r) => setTimeout(r, 3500)); // past the top page's refresh
        await scroller.evaluate((el) => (el.scrollTop = 200 * 36));
        await rowAt(200).getByText("800000000051").waitFor({ timeout: 5000 });
        const shown = await page.locator("[data-testid=journal] tr.row").allTextContents();
        const rrns = shown.map((t) => /8\d{11}/.exec(t)?.[0]).filter(Boolean);
        if (new Set(rrns).size !== rrns.length) throw new Error(`a transaction shows twice: ${rrns.join(" ")}`);
      } finally {
        answers.search_journal = saved;
      }
    });
    await check(`${lang}: a case is opened from a reconciliation discrepancy`, async () => {
      await page.click("[data-testid=nav-reconcile]");
      await page.selectOption("[data-testid=reconcile-acquirer]", "cup");
      await page.click("[data-testid=open-case-0]");
      await page.locator("[data-testid=case-opened-0]").getByText("SK-2").waitFor({ timeout: 5000 });
      const c = calls.find((x) => x.cmd === "open_case_from_discrepancy");
      if (c?.args?.acquirer_id !== "cup" || c.args.discrepancy?.txn_id !== 13 || c.args.discrepancy?.kind !== "missing_from_statement")
        throw new Error(`open_case_from_discrepancy with ${JSON.stringify(c?.args)}`);
    });
    await check(`${lang}: the reprint preview draws the PDF itself`, async () => {
      await page.click("[data-testid=nav-reprint]");
      await page.fill("[data-testid=reprint-voucher]", "7");
      await page.click("[data-testid=reprint-preview]");
      await page.locator("[data-testid=pdf-preview][data-pages='1'] canvas").waitFor({ timeout: 10000 });
      const c = calls.filter((x) => x.cmd === "reprint_pdf_preview").pop();
      if (c?.args?.request?.voucher_no !== "7" || c.args.paper !== "80mm") throw new Error(`reprint_pdf_preview with ${JSON.stringify(c?.args)}`);
      // The black bar of the PDF, drawn: dark pixels in the top part of the page.
      const dark = await page.evaluate(() => {
        const cv = document.querySelector("[data-testid=pdf-preview] canvas");
        const px = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 200 && px[i] < 60 && px[i + 1] < 60 && px[i + 2] < 60) n++;
        return { n, w: cv.width, h: cv.height };
      });
      if (dark.n < (dark.w * dark.h) / 20) throw new Error(`the drawn page is nearly blank: ${JSON.stringify(dark)}`);
      // Another paper size: the preview is drawn again for it.
      await page.selectOption("[data-testid=reprint-paper]", "a4");
      await until(() => calls.filter((x) => x.cmd === "reprint_pdf_preview").pop()?.args?.paper === "a4");
      const again = calls.filter((x) => x.cmd === "reprint_pdf_preview").pop();
      if (again?.args?.paper !== "a4") throw new Error(`after choosing A4 the preview asked for ${JSON.stringify(again?.args)}`);
      await page.locator("[data-testid=pdf-preview][data-pages='1'] canvas").waitFor({ timeout: 10000 });
      await page.screenshot({ path: `${OUT}reprint-pdf-${lang}.png` });
    });
    await check(`${lang}: an error is a readable sentence`, async () => {
      await page.click("[data-testid=nav-reprint]");
      await page.fill("[data-testid=reprint-voucher]", "51");
      await page.evaluate(() => {
        window.__TAURI_INTERNALS__.invoke = async (cmd, args) => {
          if (cmd === "reprint_preview") throw { code: "NOT_FOUND", message: "voucher 000051 is not in the journal; did you mean 000015?" };
          return window.__answer(cmd, args);
        };
      });
      await page.click("[data-testid=reprint-preview]");
      const err = await page.locator("[data-testid=error]").innerText();
      const lead = lang === "zh" ? "没有找到" : "Not found";
      if (!err.includes(lead) || !err.includes("did you mean 000015")) throw new Error(err);
    });
    await check(`${lang}: an error the core says in Chinese too reads in the interface's language`, async () => {
      await page.click("[data-testid=nav-reprint]");
      await page.fill("[data-testid=reprint-voucher]", "52");
      await page.evaluate(() => {
        window.__TAURI_INTERNALS__.invoke = async (cmd, args) => {
          if (cmd === "reprint_preview")
            throw { code: "IO", message: "/media/usb/slips.pdf: No space left on device (os error 28)", zh: "/media/usb/slips.pdf：磁盘已满，请腾出空间" };
          return window.__answer(cmd, args);
        };
      });
      await page.click("[data-testid=reprint-preview]");
      const said = await page.locator("[data-testid=error-message]").innerText();
      const want = zh ? "/media/usb/slips.pdf：磁盘已满，请腾出空间" : "/media/usb/slips.pdf: No space left on device (os error 28)";
      if (said !== want) throw new Error(`said ${JSON.stringify(said)}`);
    });
    if (errors.length) {
      failed++;
      console.log(`FAILED - ${lang}: page errors: ${errors.join("; ")}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`ui screens: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
