/* Phonebank call screen.
 *
 * The server keeps the truth (state, call, answers saved as clicked, a draft of the report);
 * a websocket pushes the whole screen after every change and is reopened after a network
 * blip or when a backgrounded tab comes back (callscreen_socket.js). The report typed so far
 * is also kept in localStorage, so a reload never loses it.
 */
(function () {
  "use strict";
  var root = document.getElementById("callscreen");
  if (!root) { return; }
  var api = window.phonebankApi;
  var status = window.phonebankCallStatus;
  var $ = function (id) { return document.getElementById(id); };

  var cs = {
    data: null, callId: null, path: [], ws: null, reconnects: 0, messages: 0,
    receivedAt: 0, shownAt: {}, retry: 0, seq: 0, stale: 0
  };
  window.phonebankCallscreen = cs;

  function show(el, on) { el.classList.toggle("hidden", !on); }

  // -- rendering ---------------------------------------------------------------------------

  function render(data) {
    if (data.seq && data.seq < cs.seq) { return; }  // an older screen arriving late
    cs.seq = data.seq || cs.seq;
    cs.data = data;
    cs.receivedAt = Date.now();
    var live = data.live;
    var call = live.call;
    status.render(data);
    $("live-bank").textContent = data.bank ? data.bank.title : "";
    renderButtons(live, call);
    if (call) { enterCall(call, data); } else if (live.preview && data.contact) {
      enterCall({ call_id: "preview-" + live.preview.entry_id, needs_outcome: false }, data);
    } else { leaveCall(); }
    tick();
  }

  function renderButtons(live, call) {
    var mode = live.dialing_mode;
    var owes = !!(call && call.needs_outcome);
    var st = live.state;
    var manual = mode === "personal" || mode === "preview";
    show($("btn-ready"), !manual && (st === "idle" || st === "wrap_up") && !owes &&
      live.bank_mode === "running");
    show($("btn-next"), manual && !call && !live.preview && st !== "disconnected" &&
      live.state !== "not_dialed_in" && live.bank_mode === "running");
    show($("btn-dial"), mode === "preview" && !!live.preview && !call);
    show($("btn-pause"), st === "waiting" && !manual);
    show($("btn-hangup"), (st === "busy" || (live.ringing && mode === "preview")) &&
      mode !== "personal");
    show($("btn-voicemail"), st === "busy" && (mode === "preview" || mode === "power"));
    show($("btn-end"), st !== "disconnected" && st !== "not_joined");
    if ($("dialin-reminder")) { show($("dialin-reminder"), mode !== "personal"); }
    var ringing = !!(live.callme && live.callme.state !== "unreached");  // "call me" under way
    show($("phone"), mode !== "personal" && st !== "disconnected" && !ringing &&
      (live.via === "browser" || live.via === "" || st === "not_dialed_in" || st === "not_joined"));
  }

  function enterCall(call, data) {
    if (cs.callId !== call.call_id) {
      cs.callId = call.call_id;
      var saved = loadDraft(data.draft);
      cs.path = saved.path && saved.path.length ? saved.path : firstBlock(data);
      fillReport(data.report, saved);
    }
    renderContact(data.contact, data.live.dialing_mode);
    renderScript(data.contact);
    if (data.contact && !cs.shownAt[call.call_id]) { cs.shownAt[call.call_id] = Date.now(); }
    report.renderFor(data.contact);
    renderOutcomes(data.outcomes || [], call);
    show($("report-panel"), !!data.live.call);
  }

  function leaveCall() {
    cs.callId = null;
    cs.path = [];
    ["contact-panel", "script-panel", "report-panel"].forEach(function (id) { show($(id), false); });
  }

  function firstBlock(data) {
    var blocks = data.contact ? data.contact.script : [];
    return blocks.length ? [blocks[0].id] : [];
  }

  function renderContact(contact, mode) {
    show($("contact-panel"), !!contact);
    if (!contact) { return; }
    $("contact-name").textContent = contact.name;
    var tel = $("contact-tel");
    tel.textContent = contact.e164;
    tel.href = mode === "personal" ? "tel:" + contact.e164 : "#";
    tel.classList.toggle("tap-to-call", mode === "personal");
    var list = $("household");
    list.textContent = "";
    contact.household.forEach(function (person) {
      var li = document.createElement("li");
      if (contact.household.length > 1 || person.wrong_number) { personMark(li, person); }
      else { li.textContent = person.name + " "; }
      list.appendChild(li);
    });
    var dl = $("contact-details");
    dl.textContent = "";
    contact.details.forEach(function (d) {
      var dt = document.createElement("dt"); dt.textContent = d.name;
      var dd = document.createElement("dd"); dd.textContent = d.value;
      dl.appendChild(dt); dl.appendChild(dd);
    });
  }

  function blockById(contact, id) {
    for (var i = 0; i < contact.script.length; i++) {
      if (contact.script[i].id === id) { return contact.script[i]; }
    }
    return null;
  }

  function renderScript(contact) {
    show($("script-panel"), !!(contact && contact.script.length));
    if (!contact) { return; }
    var id = cs.path[cs.path.length - 1];
    var block = id ? blockById(contact, id) : null;
    show($("script-done"), !block);
    $("block-title").textContent = block ? block.title : "";
    $("block-text").textContent = block ? block.text : "";
    var box = $("block-responses");
    box.textContent = "";
    $("btn-back").disabled = cs.path.length <= 1;
    if (!block) { return; }
    block.responses.forEach(function (r, i) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "big response";
      btn.textContent = (i < 9 ? (i + 1) + ". " : "") + r.label;
      btn.addEventListener("click", function () { respond(block, r, btn); });
      box.appendChild(btn);
    });
  }

  function renderOutcomes(outcomes, call) {
    var box = $("outcomes");
    var ready = !!call.needs_outcome;
    $("outcome-hint").textContent = ready ? "How did the call go?" :
      "Pick the outcome when the call is over.";
    if (box.childElementCount !== outcomes.length) {
      box.textContent = "";
      outcomes.forEach(function (o) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.className = "big outcome";
        btn.dataset.outcome = o.code;
        btn.textContent = o.label;
        btn.addEventListener("click", function () { fileOutcome(o.code); });
        box.appendChild(btn);
      });
    }
    Array.prototype.forEach.call(box.children, function (b) { b.disabled = !ready; });
  }

  var report = window.phonebankReport(cs);
  var fillReport = report.fill, currentDraft = report.current, loadDraft = report.load;
  var saveDraft = report.save, draftKey = report.key;

  // -- actions -------------------------------------------------------------------------------

  function notify(err) {
    var el = $("live-notice");
    el.textContent = err.message;
    show(el, true);
  }

  function act(step) {
    return api.post("/api/call/" + step, {}).then(render, notify);
  }

  // A script answer is the person's the outcome is for (the chooser of a shared number);
  // for everyone on the number, the server takes the first one not marked a wrong number.
  // The call this screen shows ("" for a contact shown before its call was placed: the
  // screen's own "preview-" placeholder is no call of the engine's).
  function shownCallId() {
    return cs.callId && cs.callId.indexOf("preview-") !== 0 ? cs.callId : "";
  }

  function answerBody(block, response) {
    var body = { block_id: block.id, answer: response.label, call_id: shownCallId() };
    var who = report.forWhom();
    if (who !== null) { body.contact_id = who; }
    return body;
  }

  function respond(block, response, btn) {
    btn.disabled = true;
    var saving = cs.data.live.call && cs.data.live.call.connected ?
      api.post("/api/call/answer", answerBody(block, response)) :
      Promise.resolve(null);
    saving.then(function () {
      cs.path.push(response.next || "");
      if (!response.next) { cs.path[cs.path.length - 1] = ""; }
      renderScript(cs.data.contact);
      saveDraft();
    }, function (err) { btn.disabled = false; notify(err); });
  }

  function back() {
    if (cs.path.length > 1) { cs.path.pop(); renderScript(cs.data.contact); saveDraft(); }
  }

  function fileOutcome(code) {
    var draft = currentDraft();
    var body = { outcome: code, notes: draft.notes, tags: draft.tags, fields: draft.fields,
                 call_id: shownCallId() };
    var who = report.forWhom();
    if (who !== null) { body.contact_id = who; }
    var key = draftKey();
    api.post("/api/call/outcome", body).then(function (data) {
      try { window.localStorage.removeItem(key); } catch (e) { }
      render(data);
    }, notify);
  }

  // A household member's Wrong Number mark: set it, or take it back while the call (or its
  // report) is still open.
  function personMark(li, person) {
    li.textContent = person.name + " ";
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "link";
    if (!person.wrong_number) {
      btn.textContent = "Wrong number for " + person.name;
      btn.addEventListener("click", function () { setMark(li, person, "/api/call/wrong-number"); });
      li.appendChild(btn);
      return;
    }
    btn.textContent = "Marked as wrong number";
    btn.disabled = true;
    var undo = document.createElement("button");
    undo.type = "button";
    undo.className = "link";
    undo.textContent = "Undo";
    undo.setAttribute("aria-label", "Not a wrong number for " + person.name);
    undo.addEventListener("click", function () {
      setMark(li, person, "/api/call/wrong-number/undo");
    });
    li.appendChild(btn);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(undo);
  }

  function setMark(li, person, url) {
    li.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    api.post(url, { contact_id: person.id }).then(function (data) {
      person.wrong_number = data.wrong_number;
      personMark(li, person);
      if (data.banks_kept) {
        notify({ message: "The mark is taken back. A bank that started meanwhile keeps " +
          "its list as it was." });
      }
    }, function (err) { personMark(li, person); notify(err); });
  }

  function endSession() {
    var leave = $("phone-hangup");
    if (leave && !leave.classList.contains("hidden")) { leave.click(); }
    act("end");
  }

  // -- live updates --------------------------------------------------------------------------

  var socket = window.phonebankLiveSocket(cs, root.dataset.wsPath, {
    state: render,
    up: function () { show($("live-conn"), false); },
    down: function () { show($("live-conn"), true); }
  });

  function tick() {
    var live = cs.data && cs.data.live;
    var el = $("live-wait");
    if (!live || (live.state !== "waiting" && live.state !== "idle")) { el.textContent = ""; return; }
    var secs = Math.floor(live.waited + (Date.now() - cs.receivedAt) / 1000);
    var m = Math.floor(secs / 60), s = secs % 60;
    var manual = live.dialing_mode === "preview" || live.dialing_mode === "personal";
    el.textContent = (live.state === "waiting" && !manual ? "Waiting " : "Here for ") + m + ":" +
      (s < 10 ? "0" : "") + s;
  }
  window.setInterval(tick, 1000);

  // -- keyboard ------------------------------------------------------------------------------

  function click(id) { var b = $(id); if (!b.classList.contains("hidden") && !b.disabled) { b.click(); } }

  document.addEventListener("keydown", function (e) {
    var tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || e.ctrlKey || e.metaKey ||
      e.altKey) { return; }
    var k = e.key.toLowerCase();
    if (k === "r") { click("btn-ready"); } else if (k === "h") { click("btn-hangup"); }
    else if (k === "n") { click("btn-next"); } else if (k === "c") { click("btn-dial"); }
    else if (k === "b") { back(); }
    else if (/^[1-9]$/.test(k)) {
      var r = $("block-responses").children[parseInt(k, 10) - 1];
      if (r && !r.disabled) { r.click(); }
    }
  });

  $("btn-ready").addEventListener("click", function () { act("ready"); });
  $("btn-pause").addEventListener("click", function () { act("pause"); });
  $("btn-next").addEventListener("click", function () { act("next"); });
  $("btn-dial").addEventListener("click", function () { act("dial"); });
  $("btn-hangup").addEventListener("click", function () { act("hangup"); });
  $("btn-voicemail").addEventListener("click", function () { act("voicemail"); });
  $("btn-end").addEventListener("click", endSession);
  $("btn-back").addEventListener("click", back);
  $("report-notes").addEventListener("input", saveDraft);

  socket.open();
  if (/[?&]connect=1/.test(window.location.search)) {
    window.history.replaceState(null, "", "/call");
    $("phone-connect").click();
  }
})();
