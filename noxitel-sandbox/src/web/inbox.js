// The sandbox inbox: every message the sandbox sent, one thread per recipient, built from the
// event log (GET /sandbox/events, then live from GET /sandbox/events/stream). It holds no
// token: its /sandbox requests name the account with the X-Noxitel-Inbox header, which the
// sandbox accepts only from its own loopback origin. Nothing is loaded from another origin:
// media URLs of messages are shown as links, never fetched.
"use strict";

const $ = (id) => document.getElementById(id);
const PAGE = 5000;

let account = localStorage.getItem("noxitel-inbox-account") || "default";
let selected = decodeURIComponent((location.hash.match(/^#\/(.+)$/) || [])[1] || "") || null;
let streamAbort = null;
let model = emptyModel();
let loaded = false; // history loaded: later messages count as new in their threads

function emptyModel() {
  return {
    threads: new Map(), // number -> {number, keys: [], last, channels: Set, unread, version, hooks: []}
    items: new Map(), // key -> item
    hooks: new Map(), // hook id -> hook (with attempts)
    otpBySms: new Map(), // sms_id -> otp item key
    lastId: 0,
    routes: {},
    wallet: null,
    currency: "",
    agents: [],
    phones: [],
  };
}

// ---------------------------------------------------------------- requests

async function api(path, options = {}) {
  const init = { method: options.method || "GET", headers: { "X-Noxitel-Inbox": account } };
  if (options.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;
  const res = await fetch("/sandbox" + path, init);
  let json = null;
  try {
    json = await res.json();
  } catch (_) {
    json = null;
  }
  if (!res.ok) {
    throw new Error((json && json.message) || `HTTP ${res.status} for ${path}`);
  }
  return json;
}

function notice(text, bad) {
  const n = $("notice");
  n.textContent = text;
  n.classList.toggle("bad", !!bad);
}

async function act(label, fn) {
  try {
    const out = await fn();
    notice(label(out));
    return out;
  } catch (e) {
    notice(e.message, true);
    return null;
  }
}

// ---------------------------------------------------------------- the model

function thread(number) {
  let t = model.threads.get(number);
  if (!t) {
    t = { number, keys: [], last: "", channels: new Set(), unread: 0, version: 0, hooks: [] };
    model.threads.set(number, t);
  }
  return t;
}

function addItem(key, number, kind, ev, fields) {
  let it = model.items.get(key);
  if (!it) {
    it = { key, number, kind, at: ev.time, seq: ev.id, version: 0, timeline: [], hooks: [] };
    model.items.set(key, it);
    const t = thread(number);
    t.keys.push(key);
    if (loaded && number !== selected) t.unread += 1;
  }
  Object.assign(it, fields);
  touch(it, ev);
  return it;
}

function touch(it, ev) {
  it.version += 1;
  const t = thread(it.number);
  t.version += 1;
  t.channels.add(channelOf(it.kind));
  if (ev.time > t.last) t.last = ev.time;
  dirty(it.number);
}

function step(key, ev, label, cls) {
  const it = model.items.get(key);
  if (!it) return null;
  it.timeline.push({ label, at: ev.time, cls });
  touch(it, ev);
  return it;
}

/** A message accepted in `status`: the first step of its timeline. */
function accepted(key, number, kind, ev, fields, status) {
  const it = addItem(key, number, kind, ev, Object.assign({ status }, fields));
  it.timeline.push({ label: status, at: ev.time, cls: cls(status) });
}

/** A message moved on to `status`. */
function moved(key, ev, status) {
  const it = step(key, ev, status, cls(status));
  if (it) it.status = status;
}

function channelOf(kind) {
  return { "rcs-in": "rcs", "whatsapp-in": "whatsapp", otp: "otp" }[kind] || kind;
}

const SMS_STATES = {
  scheduled: ["Scheduled", "wait"],
  submitted: ["Submitted (PENDING)", "wait"],
  delivered: ["Handset Delivered (DELIVRD)", "ok"],
  failed: ["Failed (UNDELIV)", "bad"],
};
const GOOD = new Set(["delivered", "read", "completed", "answered", "received"]);
const BAD = new Set(["failed", "incompatible", "expired"]);
const cls = (s) => (GOOD.has(s) ? "ok" : BAD.has(s) ? "bad" : "wait");

/** An accepted message's item key, recipient, kind, record and status, from its event's payload. */
const ACCEPTED = {
  rcs_accepted: (p) => ["rcs:" + p.msg.msg_id, p.msg.mobile, "rcs", { msg: p.msg }, p.msg.status],
  whatsapp_accepted: (p) => ["wa:" + p.msg.msg_id, p.msg.msisdn, "whatsapp", { msg: p.msg }, p.msg.status],
  call_placed: (p) => ["call:" + p.call.call_id, p.call.to, "voice", { call: p.call }, p.call.status],
};
/** The item key of the message a status event moves on. */
const MOVED = {
  rcs_status: (p) => "rcs:" + p.msg_id,
  whatsapp_status: (p) => "wa:" + p.msg_id,
  call_status: (p) => "call:" + p.call_id,
};

function apply(ev) {
  if (ev.id <= model.lastId) return;
  model.lastId = ev.id;
  const p = ev.payload || {};
  switch (ev.kind) {
    case "account_provisioned": {
      const keep = model;
      model = emptyModel();
      model.lastId = ev.id;
      model.agents = keep.agents;
      model.phones = keep.phones;
      model.routes = keep.routes;
      model.currency = keep.currency;
      if (model.routes[1]) model.routes[1].credits = p.credits;
      model.wallet = p.wallet_cents;
      everythingDirty = true;
      refreshBalances();
      break;
    }
    case "credits_debited":
      if (p.route_id == null) model.wallet = p.balance;
      else if (model.routes[p.route_id]) model.routes[p.route_id].credits = p.balance;
      balancesDirty = true;
      break;
    case "balance_set":
      if (p.credits != null && model.routes[p.route_id]) model.routes[p.route_id].credits = p.credits;
      if (p.wallet_cents != null) model.wallet = p.wallet_cents;
      balancesDirty = true;
      break;
    case "sms_accepted": {
      const s = p.sms;
      const [label, c] = SMS_STATES[s.state] || [s.state, "wait"];
      const it = addItem("sms:" + s.sms_id, s.mobile, "sms", ev, { sms: s, state: s.state });
      it.timeline.push({ label, at: ev.time, cls: c });
      break;
    }
    case "sms_status": {
      const [label, c] = SMS_STATES[p.state] || [p.state, "wait"];
      const it = step("sms:" + p.sms_id, ev, label, c);
      if (it) it.state = p.state;
      const otp = model.otpBySms.get(p.sms_id);
      if (otp) touch(model.items.get(otp), ev);
      break;
    }
    case "otp_issued": {
      const o = p.otp;
      addItem("otp:" + o.reference, o.mobile, "otp", ev, { otp: o, checks: [] });
      model.otpBySms.set(o.sms_id, "otp:" + o.reference);
      break;
    }
    case "otp_verified": {
      const it = model.items.get("otp:" + p.reference);
      if (it) {
        it.checks.push({ matched: p.matched, at: ev.time, attempts: p.attempts });
        if (p.matched) it.otp.verified = true;
        it.otp.attempts = p.attempts;
        touch(it, ev);
      }
      break;
    }
    case "rcs_accepted":
    case "whatsapp_accepted":
    case "call_placed": {
      const [key, to, kind, record, status] = ACCEPTED[ev.kind](p);
      accepted(key, to, kind, ev, record, status);
      break;
    }
    case "rcs_status":
    case "whatsapp_status":
    case "call_status":
      moved(MOVED[ev.kind](p), ev, p.status);
      break;
    case "rcs_tapped": {
      step("rcs:" + p.msg_id, ev, `tapped “${p.text}”`, "ok");
      addItem("tap:" + ev.id, p.mobile, "rcs-in", ev, {
        text: p.text,
        postback: p.postback_data,
        tapOf: p.msg_id,
      });
      break;
    }
    case "rcs_inbound":
      addItem("rcsin:" + p.msg_id, p.from, "rcs-in", ev, { text: p.text, agentId: p.agent_id, msgId: p.msg_id });
      break;
    case "whatsapp_inbound": {
      const m = p.msg;
      addItem("wa:" + m.msg_id, m.msisdn, "whatsapp-in", ev, { msg: m, windowUntil: p.window_until });
      break;
    }
    case "webhook_queued": {
      const h = Object.assign({}, p.hook, { tries: [] });
      model.hooks.set(h.id, h);
      const owner = hookOwner(h);
      if (owner) {
        owner.hooks.push(h.id);
        h.owner = owner.key;
        touch(owner, ev);
      } else if (h.recipient) {
        thread(h.recipient).hooks.push(h.id);
        thread(h.recipient).version += 1;
        dirty(h.recipient);
      }
      break;
    }
    case "webhook_attempted": {
      const h = model.hooks.get(p.hook_id);
      if (!h) break;
      h.tries.push({ attempt: p.attempt, status: p.status, error: p.error, outcome: p.outcome, at: ev.time });
      h.attempts = p.attempt;
      h.last_status = p.status;
      h.status = p.outcome === "delivered" ? "delivered" : p.outcome === "gave_up" ? "failed" : "pending";
      const owner = h.owner && model.items.get(h.owner);
      if (owner) touch(owner, ev);
      else if (h.recipient) {
        thread(h.recipient).version += 1;
        dirty(h.recipient);
      }
      break;
    }
    default:
      break;
  }
}

/** The message a webhook is about, from the ids in its payload. */
function hookOwner(h) {
  const b = h.body || {};
  const ids = [];
  if (b.sms_id) ids.push("sms:" + b.sms_id);
  if (b.callId) ids.push("call:" + b.callId);
  const msgId = b.msgId || b.msg_id || b.messageId;
  if (msgId) ids.push("rcs:" + msgId, "rcsin:" + msgId, "wa:" + msgId);
  for (const k of ids) {
    const it = model.items.get(k);
    if (it) return it;
  }
  return null;
}

// ---------------------------------------------------------------- rendering

const dirtyThreads = new Set();
let everythingDirty = true;
let balancesDirty = true;
let frame = 0;

function dirty(number) {
  dirtyThreads.add(number);
  schedule();
}

function schedule() {
  if (!frame) frame = requestAnimationFrame(render);
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function clock(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const time = (iso) => el("time", { datetime: iso, title: iso, text: clock(iso) });

function render() {
  frame = 0;
  if (everythingDirty) {
    $("messages").replaceChildren();
    rendered.clear();
  }
  renderThreads();
  if (selected && (everythingDirty || dirtyThreads.has(selected))) renderConversation();
  if (!selected || !model.threads.has(selected)) renderConversation();
  if (balancesDirty) renderBalances();
  dirtyThreads.clear();
  everythingDirty = false;
  balancesDirty = false;
}

function snippet(it) {
  switch (it.kind) {
    case "sms":
      return it.sms.text;
    case "otp":
      return `OTP ${it.otp.code}`;
    case "rcs": {
      const c = it.msg.content || {};
      return c.text || (c.card && c.card.title) || (c.cards && `carousel of ${c.cards.length}`) || it.msg.kind;
    }
    case "rcs-in":
      return "↩ " + it.text;
    case "whatsapp":
    case "whatsapp-in": {
      const c = it.msg.content || {};
      const what = c.message || (c.templateId && `template ${c.templateId}`) || (c.location && `location: ${c.location.name}`) || (c.media && `${c.type}: ${c.media.url}`) || c.type || "";
      return (it.kind === "whatsapp-in" ? "↩ " : "") + what;
    }
    case "voice":
      return "call " + it.status;
    default:
      return "";
  }
}

function visibleKeys(t) {
  return t.keys
    .filter((k) => {
      const it = model.items.get(k);
      return !(it.kind === "sms" && model.otpBySms.has(it.sms.sms_id) && it.sms.origin === "otp");
    })
    .sort((a, b) => model.items.get(a).seq - model.items.get(b).seq);
}

const threadButtons = new Map();

function renderThreads() {
  const list = $("thread-list");
  const filter = $("filter").value.trim().toLowerCase();
  const threads = [...model.threads.values()]
    .filter((t) => t.keys.length || t.hooks.length)
    .sort((a, b) => (a.last < b.last ? 1 : a.last > b.last ? -1 : 0));
  const shown = threads.filter((t) => {
    if (!filter) return true;
    if (t.number.includes(filter)) return true;
    return t.keys.some((k) => String(snippet(model.items.get(k)) || "").toLowerCase().includes(filter));
  });
  $("thread-count").textContent = threads.length ? `(${threads.length})` : "";
  $("no-threads").hidden = threads.length > 0;
  if (everythingDirty) {
    list.replaceChildren();
    threadButtons.clear();
  }
  const wanted = [];
  for (const t of shown) {
    let entry = threadButtons.get(t.number);
    if (!entry || entry.version !== t.version || entry.selected !== (t.number === selected) || entry.unread !== t.unread) {
      const keys = visibleKeys(t);
      const last = keys.length ? model.items.get(keys[keys.length - 1]) : null;
      const button = el(
        "button",
        {
          type: "button",
          "data-number": t.number,
          "aria-current": t.number === selected ? "true" : "false",
          onclick: () => select(t.number),
        },
        el("span", { class: "num", text: "+" + t.number }),
        el("span", { class: "when" }, time(t.last)),
        el("span", { class: "chans" }, [...t.channels].map((c) => el("span", { class: "badge " + c, text: c })),
          t.unread && t.number !== selected ? el("span", { class: "badge", text: `${t.unread} new` }) : null),
        el("span", { class: "snippet", text: last ? snippet(last) : "webhooks only" }),
      );
      const li = entry ? entry.li : el("li");
      const hadFocus = entry && li.contains(document.activeElement);
      li.replaceChildren(button);
      if (hadFocus) button.focus();
      entry = { li, version: t.version, selected: t.number === selected, unread: t.unread };
      threadButtons.set(t.number, entry);
    }
    wanted.push(entry.li);
  }
  // Reorder only when the order changed (moving a node loses its focus).
  const current = [...list.children];
  const same = current.length === wanted.length && current.every((n, i) => n === wanted[i]);
  if (!same) {
    const focused = document.activeElement;
    list.replaceChildren(...wanted);
    if (focused && list.contains(focused)) focused.focus();
  }
}

const rendered = new Map(); // item key -> {node, version}

function renderConversation() {
  const t = selected && model.threads.get(selected);
  const box = $("messages");
  if (!t) {
    $("conversation-title").textContent = selected ? "+" + selected : "No thread selected";
    $("conversation-sub").textContent = selected
      ? "Nothing sent to this number yet."
      : "Pick a thread, or send something to /api/v2.";
    box.replaceChildren();
    rendered.clear();
    $("reply").hidden = true;
    return;
  }
  $("conversation-title").textContent = "+" + t.number;
  const keys = visibleKeys(t);
  $("conversation-sub").textContent = `${keys.length} message${keys.length === 1 ? "" : "s"} · ${[...t.channels].join(", ")}`;
  const nodes = [];
  for (const k of keys) {
    const it = model.items.get(k);
    let r = rendered.get(k);
    if (!r || r.version !== it.version) {
      const node = el("li", { "data-key": k }, renderItem(it));
      if (r) keepState(r.node, node);
      r = { node, version: it.version };
      rendered.set(k, r);
    }
    nodes.push(r.node);
  }
  if (t.hooks.length) {
    const k = "thread-hooks:" + t.number + ":" + t.version;
    nodes.push(el("li", { "data-key": k }, el("article", { class: "msg", "aria-label": "Webhooks about this number" },
      el("header", {}, el("span", { class: "badge", text: "webhooks" })),
      hookList(t.hooks))));
  }
  const current = [...box.children];
  const same = current.length === nodes.length && current.every((n, i) => n === nodes[i]);
  if (!same) {
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const focused = document.activeElement;
    box.replaceChildren(...nodes);
    if (focused && box.contains(focused)) focused.focus();
    if (atBottom) box.scrollTop = box.scrollHeight;
  }
  renderReply(t);
}

/** Carries the open <details> and the focus of an old rendering of a message to the new one. */
function keepState(old, node) {
  const opened = new Set([...old.querySelectorAll("details[open]")].map((d) => d.dataset.part));
  for (const d of node.querySelectorAll("details")) if (opened.has(d.dataset.part)) d.open = true;
  const focused = old.contains(document.activeElement) && document.activeElement.dataset.focus;
  if (old.parentNode) old.replaceWith(node);
  if (focused) {
    const again = node.querySelector(`[data-focus="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

function stateTag(status) {
  return el("span", { class: "state " + cls(status), text: status });
}

function details(part, summary, ...body) {
  return el("details", { class: "more", "data-part": part }, el("summary", { "data-focus": "sum-" + part, text: summary }), ...body);
}

function ids(pairs) {
  return el("dl", {}, pairs.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) => [el("dt", { text: k }), el("dd", { text: String(v) })]));
}

function timeline(it) {
  return el("ol", { class: "timeline", "aria-label": "Delivery timeline" },
    it.timeline.map((s) => el("li", {}, time(s.at), el("span", { class: "state " + (s.cls || ""), text: s.label }))));
}

function hookList(hookIds, notifyUrl) {
  if (!hookIds.length) return el("p", { class: "hint", text: notifyUrl ? `No webhook yet (notifyUrl ${notifyUrl}).` : "No webhook (no notifyUrl)." });
  return el("ul", { class: "hooks", "aria-label": "Webhooks" }, hookIds.map((id) => {
    const h = model.hooks.get(id);
    if (!h) return null;
    const status = h.status === "held" ? "held (not a loopback or private host)" : h.status;
    return el("li", {},
      el("div", {}, el("strong", { text: h.kind }), " → ", el("code", { text: h.url })),
      el("div", {}, "status ", el("span", { class: "state " + (h.status === "delivered" ? "ok" : h.status === "pending" ? "wait" : "bad"), text: status }),
        ` · attempts ${h.tries.length}`),
      h.tries.length
        ? el("ol", { class: "attempts" }, h.tries.map((a) => el("li", {}, time(a.at), ` #${a.attempt} `,
          a.status ? `HTTP ${a.status}` : a.error || "no answer", ` — ${a.outcome.replace("_", " ")}`)))
        : null,
      details("payload-" + id, "payload", el("pre", { text: JSON.stringify(h.body, null, 2) })));
  }));
}

function more(it, pairs) {
  const url = (pairs.find(([k]) => k === "notifyUrl") || [])[1];
  return details("more", `ids, delivery, webhooks (${it.hooks.length})`, ids(pairs), timeline(it), hookList(it.hooks, url));
}

function media(url, label, height) {
  const name = String(url || "").split("/").pop() || url;
  const size = height === "TALL" ? " tall" : height === "SHORT" ? " short" : "";
  return el("div", { class: "media" + size, role: "img", "aria-label": `${label || "media"}: ${url}` },
    el("span", { class: "glyph", "aria-hidden": "true", text: "▣" }),
    el("span", { text: name }),
    url && /^https?:/.test(url) ? el("a", { href: url, rel: "noopener noreferrer", target: "_blank", text: "open" }) : null);
}

function chips(it, suggestions) {
  if (!suggestions || !suggestions.length) return null;
  const dead = ["failed", "incompatible"].includes(it.status);
  return el("div", { class: "chips", role: "group", "aria-label": "Suggestions" }, suggestions.map((s) => el("button", {
    type: "button",
    class: "chip",
    "data-focus": "chip-" + s.text,
    disabled: dead,
    title: dead ? "not delivered: nobody can tap it" : `tap: ${s.type}${s.url ? " " + s.url : ""}${s.phone ? " " + s.phone : ""}`,
    onclick: () => tap(it.msg.msg_id, s.text),
  }, s.text + (s.type === "url" ? " ↗" : s.type === "dial" ? " ☏" : ""))));
}

function card(it, c) {
  if (!c) return null;
  return el("div", { class: "card" },
    c.media ? media(c.media.url, c.title, c.media.height) : null,
    el("div", { class: "card-body" },
      c.title ? el("h3", { text: c.title }) : null,
      c.description ? el("p", { text: c.description }) : null,
      chips(it, c.suggestions)));
}

function renderItem(it) {
  switch (it.kind) {
    case "sms": {
      const s = it.sms;
      const origin = { otp: "OTP", "rcs-fallback": "RCS fallback", "reference example": "fixture" }[s.origin];
      return el("article", { class: "msg", "aria-label": `SMS from ${s.sender}` },
        el("header", {}, el("span", { class: "badge sms", text: "SMS" }), origin ? el("span", { class: "badge", text: origin }) : null,
          el("span", { text: "from " + s.sender }), time(it.at), stateTag(SMS_STATES[it.state] ? SMS_STATES[it.state][0] : it.state)),
        el("p", { class: "text", text: s.text }),
        el("p", { class: "meta", text: `${s.mode === "unicode" ? "UCS-2 (unicode)" : "GSM-7 (text)"} · ${s.segments} segment${s.segments === 1 ? "" : "s"} · route ${s.route_id}` }),
        more(it, [["batch_id", s.batch_id], ["sms_id", s.sms_id], ["campaign", s.campaign_id], ["notifyUrl", s.notify_url]]));
    }
    case "otp": {
      const o = it.otp;
      const sms = model.items.get("sms:" + o.sms_id);
      const last = it.checks[it.checks.length - 1];
      const expired = new Date(o.expires_at) < new Date();
      const outcome = o.verified
        ? ["verified", "ok"]
        : last && !last.matched
          ? ["wrong code entered", "bad"]
          : expired
            ? ["expired", "bad"]
            : ["not verified yet", "wait"];
      const view = sms || it;
      return el("article", { class: "msg otp", "aria-label": "One-time password" },
        el("header", {}, el("span", { class: "badge otp", text: "OTP" }), el("span", { text: "channel " + o.channel }), time(it.at),
          el("span", { class: "state " + outcome[1], text: outcome[0] })),
        el("div", { class: "otp-row" },
          el("p", { class: "otp-code", "data-otp": o.code, "aria-label": "code " + o.code.split("").join(" "), text: o.code }),
          el("button", { type: "button", "data-focus": "copy", onclick: (e) => copy(o.code, e.currentTarget) }, "Copy code")),
        sms ? el("p", { class: "text", text: sms.sms.text }) : null,
        el("p", { class: "meta", text: `reference ${o.reference} · expires ${clock(o.expires_at)} · attempts ${o.attempts}` }),
        it.checks.length
          ? el("ol", { class: "timeline", "aria-label": "Verification attempts" }, it.checks.map((c) => el("li", {}, time(c.at),
            el("span", { class: "state " + (c.matched ? "ok" : "bad"), text: c.matched ? "matched" : "did not match" }))))
          : null,
        details("more", `ids, delivery, webhooks (${view.hooks.length})`,
          ids([["reference", o.reference], ["sms_id", o.sms_id], ["batch_id", sms && sms.sms.batch_id], ["expires_at", o.expires_at]]),
          timeline(view), hookList(view.hooks, sms && sms.sms.notify_url)));
    }
    case "rcs": {
      const m = it.msg;
      const c = m.content || {};
      let body;
      if (m.kind === "rich_card" && c.card) body = card(it, c.card);
      else if (m.kind === "carousel" && c.cards) body = el("div", { class: "carousel", role: "group", "aria-label": "Carousel" }, c.cards.map((x) => card(it, x)));
      else if (c.text !== undefined) body = [el("p", { class: "text", text: c.text }), chips(it, c.suggestions)];
      else body = el("pre", { text: JSON.stringify(c, null, 2) });
      return el("article", { class: "msg", "aria-label": `RCS ${m.kind.replace("_", " ")} from agent ${m.agent_id}` },
        el("header", {}, el("span", { class: "badge rcs", text: "RCS" }), el("span", { text: `agent ${m.agent_id} · ${m.kind}` }),
          m.test_device ? el("span", { class: "badge", text: "test device" }) : null, time(it.at), stateTag(it.status)),
        body,
        m.fallback_sms_id ? el("p", { class: "meta", text: `not RCS capable: smsFallback sent as SMS ${m.fallback_sms_id}` }) : null,
        more(it, [["batch_id", m.batch_id], ["msg_id", m.msg_id], ["agentId", m.agent_id], ["smsFallback sms_id", m.fallback_sms_id], ["notifyUrl", m.notify_url]]));
    }
    case "rcs-in":
      return el("article", { class: "msg mine", "aria-label": it.postback ? "Suggestion tapped" : "RCS reply" },
        el("header", {}, el("span", { class: "badge rcs", text: "RCS" }), el("span", { text: it.postback ? "tapped" : "you wrote" }), time(it.at)),
        el("p", { class: "text", text: it.text }),
        more(it, [["postbackData", it.postback], ["msg_id", it.msgId], ["agentId", it.agentId]]));
    case "whatsapp":
    case "whatsapp-in":
      return whatsapp(it);
    case "voice": {
      const c = it.call;
      const plays = c.plays || {};
      return el("article", { class: "msg", "aria-label": "Voice call" },
        el("header", {}, el("span", { class: "badge voice", text: "Voice" }), el("span", { text: "call from " + c.from }), time(it.at), stateTag(it.status)),
        plays.tts ? el("p", { class: "text" }, "Says: ", plays.tts.text,
          el("span", { class: "hint", text: ` (${[plays.tts.language, plays.tts.voice, plays.tts.repeat && "×" + plays.tts.repeat].filter(Boolean).join(", ")})` })) : null,
        plays.audioUrl ? el("p", { class: "text" }, "Plays audio ", el("code", { text: plays.audioUrl })) : null,
        more(it, [["callId", c.call_id], ["to", c.to], ["from", c.from], ["notifyUrl", c.notify_url]]));
    }
    default:
      return el("article", { class: "msg" }, el("pre", { text: JSON.stringify(it, null, 2) }));
  }
}

function whatsapp(it) {
  const m = it.msg;
  const c = m.content || {};
  const mine = it.kind === "whatsapp-in";
  const type = c.type || m.kind || "text";
  const quoted = c.replyToMessageId && model.items.get("wa:" + c.replyToMessageId);
  const quote = c.replyToMessageId
    ? el("p", { class: "quote", text: quoted ? snippet(quoted) : `message ${c.replyToMessageId}` })
    : null;
  let body;
  switch (type) {
    case "template": {
      const prm = c.parameters || {};
      body = [
        el("p", { class: "text" }, el("strong", { text: "Template " + c.templateId })),
        (prm.header || []).length ? el("p", { class: "meta", text: "header: " + prm.header.map((h) => h.value || h.url || JSON.stringify(h)).join(", ") }) : null,
        (prm.body || []).length ? el("ol", { class: "timeline", "aria-label": "Body values" }, prm.body.map((v, i) => el("li", {}, el("code", { text: `{{${i + 1}}}` }), " " + v))) : null,
        (prm.buttons || []).length ? el("div", { class: "chips" }, prm.buttons.map((b) => el("span", { class: "chip", text: `button ${b.index}${b.url ? ": " + b.url : ""}` }))) : null,
      ];
      break;
    }
    case "image":
    case "video":
    case "audio":
    case "document":
      body = [media(c.media && c.media.url, type), c.media && c.media.caption ? el("p", { class: "text", text: c.media.caption }) : null];
      break;
    case "location": {
      const l = c.location || {};
      body = el("p", { class: "text" }, "Location: ", el("strong", { text: l.name || "" }), ` ${l.address || ""} (${l.latitude}, ${l.longitude})`);
      break;
    }
    case "reaction":
      body = [quote, el("p", { class: "reaction", text: c.message || "(reaction)" })];
      break;
    case "reply":
      body = [quote, el("p", { class: "text", text: c.message || "" })];
      break;
    default:
      body = el("p", { class: "text", text: c.message || "" });
  }
  return el("article", { class: "msg" + (mine ? " mine" : ""), "aria-label": mine ? "WhatsApp reply" : `WhatsApp ${type}` },
    el("header", {}, el("span", { class: "badge whatsapp", text: "WhatsApp" }), el("span", { text: mine ? "you wrote" : `${type} · phone ${m.phone_id}` }),
      time(it.at), mine ? null : stateTag(it.status)),
    body,
    more(it, [["msg_id", m.msg_id], ["campaign_id", m.campaign_id], ["phoneId", m.phone_id], ["cost", m.cost_cents ? (m.cost_cents / 100).toFixed(2) : null],
      ["window until", it.windowUntil]]));
}

function renderReply(t) {
  const form = $("reply");
  const select = $("reply-channel");
  const options = [];
  const items = t.keys.map((k) => model.items.get(k));
  const agents = new Set(items.filter((i) => i.kind === "rcs").map((i) => i.msg.agent_id));
  for (const i of items) if (i.kind === "rcs-in" && i.agentId) agents.add(i.agentId);
  const phones = new Set(items.filter((i) => i.kind.startsWith("whatsapp")).map((i) => i.msg.phone_id));
  for (const a of agents) options.push(["rcs:" + a, `RCS to agent ${a}`]);
  for (const p of phones) options.push(["wa:" + p, `WhatsApp to ${p}`]);
  if (!options.length) {
    form.hidden = false;
    select.replaceChildren(el("option", { value: "", text: "—" }));
    select.dataset.key = "";
    select.disabled = true;
    $("reply-text").disabled = true;
    form.querySelector("button").disabled = true;
    $("reply-hint").textContent = "SMS has no inbound API in the reference: replies go to RCS or WhatsApp threads.";
    return;
  }
  const before = select.value;
  const key = options.map((o) => o[0]).join("|");
  if (select.dataset.key !== key) {
    select.replaceChildren(...options.map(([v, l]) => el("option", { value: v, text: l })));
    select.dataset.key = key;
    if (options.some((o) => o[0] === before)) select.value = before;
  }
  select.disabled = false;
  $("reply-text").disabled = false;
  form.querySelector("button").disabled = false;
  $("reply-hint").textContent = "An inbound message from this phone: RCS opens the conversation and webhooks the last notifyUrl; WhatsApp opens the 24 h service window.";
  form.hidden = false;
}

function renderBalances() {
  const dl = $("balances");
  const rows = [];
  for (const [id, r] of Object.entries(model.routes)) {
    rows.push(el("dt", { text: `route ${id} ${r.name}` }), el("dd", { text: Number(r.credits).toLocaleString("en") }));
  }
  if (model.wallet != null) rows.push(el("dt", { text: "wallet" }), el("dd", { text: `${(model.wallet / 100).toFixed(2)} ${model.currency}` }));
  dl.replaceChildren(...rows);
  const route = $("credits-route");
  const ids = Object.keys(model.routes).join(",");
  if (route.dataset.ids !== ids) {
    route.replaceChildren(...Object.entries(model.routes).map(([id, r]) => el("option", { value: id, text: `${id} ${r.name}` })));
    route.dataset.ids = ids;
  }
}

// ---------------------------------------------------------------- actions

function select(number) {
  selected = number;
  const t = model.threads.get(number);
  if (t) {
    t.unread = 0;
    t.version += 1;
  }
  history.replaceState(null, "", "#/" + encodeURIComponent(number));
  $("messages").replaceChildren();
  rendered.clear();
  dirty(number);
}

async function tap(msgId, text) {
  await act((out) => out.notifyUrl
    ? `Tapped “${text}”: message.received with its postbackData queued to ${out.notifyUrl}`
    : `Tapped “${text}” (the message has no notifyUrl: no webhook)`,
  () => api("/rcs/tap", { method: "POST", body: { msgId, text } }));
}

async function copy(code, button) {
  try {
    await navigator.clipboard.writeText(code);
    button.textContent = "Copied";
  } catch (_) {
    const range = document.createRange();
    range.selectNodeContents(button.previousElementSibling);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  }
  setTimeout(() => (button.textContent = "Copy code"), 2000);
}

async function reply(event) {
  event.preventDefault();
  const [channel, id] = $("reply-channel").value.split(/:(.*)/s);
  const text = $("reply-text").value;
  if (!selected || !text) return;
  const done = channel === "rcs"
    ? await act((out) => `Inbound RCS message sent${out.notifyUrl ? `; webhook to ${out.notifyUrl}` : " (no notifyUrl known: no webhook)"}`,
      () => api("/rcs/inbound", { method: "POST", body: { from: selected, text, agentId: Number(id) } }))
    : await act((out) => `Inbound WhatsApp message: service window open until ${out.expires_at}`,
      () => api("/whatsapp/inbound", { method: "POST", body: { from: selected, text, phoneId: id } }));
  if (done) $("reply-text").value = "";
}

async function loadFaults() {
  try {
    const out = await api("/faults");
    const list = $("fault-list");
    list.replaceChildren(...(out.data || []).map((f) => {
      const spec = Object.entries(f).filter(([k]) => !["id", "fired", "remaining"].includes(k))
        .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ");
      return el("li", {}, el("span", {}, el("code", { text: `#${f.id}` }), ` ${spec} · fired ${f.fired}${f.remaining != null ? ` · ${f.remaining} left` : ""}`),
        el("button", { type: "button", "aria-label": `Remove fault ${f.id}`, onclick: () => act(() => `Fault ${f.id} removed`, () => api(`/faults/${f.id}`, { method: "DELETE" })).then(loadFaults) }, "Remove"));
    }));
    if (!list.children.length) list.append(el("li", { class: "empty", text: "No faults: /api/v2 answers normally." }));
  } catch (e) {
    notice(e.message, true);
  }
}

function faultSpec() {
  const kind = $("fault-kind").value;
  const spec = { kind };
  const num = (id) => ($(id).value === "" ? undefined : Number($(id).value));
  if (kind === "status") spec.status = num("fault-status");
  if (kind === "latency" || kind === "stall") spec.ms = num("fault-ms");
  if ($("fault-path").value.trim()) spec.path = $("fault-path").value.trim();
  if ($("fault-method").value) spec.method = $("fault-method").value;
  if (num("fault-next") !== undefined) spec.next = num("fault-next");
  if (num("fault-probability") !== undefined) spec.probability = num("fault-probability");
  return spec;
}

function showFaultFields() {
  const kind = $("fault-kind").value;
  for (const l of document.querySelectorAll("#fault-form [data-for]")) l.hidden = !l.dataset.for.split(" ").includes(kind);
}

async function refreshBalances() {
  try {
    const out = await api("/export");
    const st = out.state || {};
    model.routes = st.routes || {};
    model.wallet = st.wallet_cents;
    model.currency = st.currency || "";
    model.agents = st.agents || [];
    model.phones = st.whatsapp_phones || [];
    balancesDirty = true;
    schedule();
  } catch (e) {
    notice(e.message, true);
  }
}

// ---------------------------------------------------------------- loading and the live stream

function live(state, text) {
  const l = $("live");
  l.className = "live " + state;
  l.textContent = text;
}

async function loadAccounts() {
  const out = await api("/accounts");
  const sel = $("account");
  sel.replaceChildren(...out.data.map((a) => el("option", {
    value: a.account,
    text: `${a.account} · token …${a.token_last4}${a.default ? " (default)" : ""}`,
  })));
  sel.value = out.current;
  account = out.current;
}

async function loadEvents() {
  for (;;) {
    const out = await api(`/events?after=${model.lastId}&limit=${PAGE}`);
    for (const ev of out.data) apply(ev);
    if (out.data.length < PAGE) break;
  }
}

async function stream() {
  if (streamAbort) streamAbort.abort();
  const abort = new AbortController();
  streamAbort = abort;
  for (;;) {
    try {
      const res = await fetch(`/sandbox/events/stream?after=${model.lastId}`, {
        headers: { "X-Noxitel-Inbox": account, Accept: "text/event-stream" },
        signal: abort.signal,
      });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      live("on", "● live");
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
          const data = block.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
          if (data) apply(JSON.parse(data));
        }
      }
    } catch (e) {
      if (abort.signal.aborted) return;
    }
    if (abort.signal.aborted) return;
    live("off", "○ reconnecting…");
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function start() {
  model = emptyModel();
  loaded = false;
  everythingDirty = true;
  live("", "connecting…");
  try {
    await loadAccounts();
    await refreshBalances();
    await loadEvents();
  } catch (e) {
    live("off", "○ offline");
    notice(e.message, true);
  }
  loaded = true;
  schedule();
  loadFaults();
  stream();
}

function theme(next) {
  const modes = ["auto", "light", "dark"];
  const current = localStorage.getItem("noxitel-inbox-theme") || "auto";
  const mode = next ? modes[(modes.indexOf(current) + 1) % modes.length] : current;
  localStorage.setItem("noxitel-inbox-theme", mode);
  if (mode === "auto") document.documentElement.removeAttribute("data-theme");
  else document.documentElement.dataset.theme = mode;
  $("theme").setAttribute("aria-label", `Colour scheme: ${mode === "auto" ? "automatic" : mode} (change)`);
  $("theme").title = `Colour scheme: ${mode}`;
}

document.addEventListener("DOMContentLoaded", () => {
  theme(false);
  $("theme").addEventListener("click", () => theme(true));
  $("account").addEventListener("change", (e) => {
    account = e.target.value;
    localStorage.setItem("noxitel-inbox-account", account);
    selected = null;
    history.replaceState(null, "", "#");
    start();
  });
  $("filter").addEventListener("input", () => {
    everythingDirty = true;
    schedule();
  });
  $("thread-list").addEventListener("keydown", (e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const buttons = [...$("thread-list").querySelectorAll("button")];
    const i = buttons.indexOf(document.activeElement);
    const next = buttons[Math.max(0, Math.min(buttons.length - 1, i + (e.key === "ArrowDown" ? 1 : -1)))];
    if (next) {
      e.preventDefault();
      next.focus();
    }
  });
  $("reply").addEventListener("submit", reply);
  $("credits-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const body = { routeId: Number($("credits-route").value) || 1 };
    if ($("credits-value").value !== "") body.credits = Number($("credits-value").value);
    if ($("wallet-value").value !== "") body.walletCents = Number($("wallet-value").value);
    act(() => "Balances set", () => api("/credits", { method: "POST", body }));
  });
  $("fault-kind").addEventListener("change", showFaultFields);
  showFaultFields();
  $("fault-form").addEventListener("submit", (e) => {
    e.preventDefault();
    act((out) => `Fault ${out.data.id} added: /api/v2 now misbehaves as asked`, () => api("/faults", { method: "POST", body: faultSpec() })).then(loadFaults);
  });
  $("faults-clear").addEventListener("click", () => act((out) => `${out.removed} fault(s) cleared`, () => api("/faults", { method: "DELETE" })).then(loadFaults));
  $("flush").addEventListener("click", () => act((out) => `${out.processed} pending step(s) done, ${out.webhooks} webhook(s) queued`, () => api("/flush", { method: "POST" })));
  $("reset").addEventListener("click", () => {
    if (!confirm("Reset this account to the provisioned fixtures? Its messages, OTPs and balances go back to the start.")) return;
    act(() => "Account reset to the fixtures", () => api("/reset", { method: "POST", body: {} }));
  });
  window.addEventListener("hashchange", () => {
    const n = decodeURIComponent((location.hash.match(/^#\/(.+)$/) || [])[1] || "");
    if (n && n !== selected) select(n);
  });
  // Faults are settings, not events: refresh their counters now and then.
  setInterval(() => {
    if (!document.hidden) loadFaults();
  }, 5000);
  start();
});
