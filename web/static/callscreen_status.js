/* Phonebank call screen: the status lines at the top.
 *
 * window.phonebankCallStatus.render(data) fills them from the screen the server pushed:
 * - #live-state: where the volunteer is (waiting room, waiting, calling <name>, dialing for
 *   them in a power bank or finding no number it may call now, in a call, report due);
 * - #live-result: what happened to the number they just called in a preview bank, when it
 *   never reached them (busy, not in service, no answer) and the outcome the dialer
 *   recorded for it, naming the contact;
 * - #live-recent: in a power bank, what happened to the last numbers dialed while they wait;
 *   the server pushes the screen to a power bank's waiting volunteers whenever one of its
 *   calls is placed or ends and when numbers stop (or start again) being callable;
 * - #live-notice: the bank paused or ended, the volunteer disconnected;
 * - #btn-rejoin (back to the bank's page) once the session ended, and the browser phone's
 *   room line (phone.js ``follow``).
 */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var STATES = {
    not_joined: "You have not joined a phone bank.",
    not_dialed_in: "Connect your phone to join the waiting room.",
    idle: "In the waiting room. Press \u201cReady\u201d when you want a call.",
    waiting: "Waiting for a voter\u2026",
    busy: "In a call",
    wrap_up: "Call ended. File the report.",
    filed: "Report filed. Press \u201cReady for the next call\u201d when you want the next one.",
    disconnected: "You left the phone bank."
  };

  // Preview and personal-phone banks: nothing comes by itself; the volunteer asks for the
  // next contact, then calls them (with Call, or from their own phone).
  var NEXT = "Press \u201cNext contact\u201d to see who to call.";
  var MANUAL = {
    idle: NEXT,
    waiting: NEXT,
    filed: "Report filed. " + NEXT
  };

  function manualText(data, state) {
    var live = data.live;
    var name = data.contact && data.contact.name;
    if ((state === "idle" || state === "waiting") && live.preview && name) {
      return name + " is next: press \u201cCall\u201d.";
    }
    if (state === "busy" && live.dialing_mode === "personal" && name) {
      return "Call " + name + " from your phone, then pick the outcome.";
    }
    return MANUAL[state];
  }

  var NOTHING_TO_CALL = "No number can be called right now. Stay here: the dialer keeps trying.";

  function show(el, on) { el.classList.toggle("hidden", !on); }

  // The volunteer's browser line dropped a moment ago and their browser phone is trying to
  // rejoin the room: they are back in the bank once it does. The server forgets the drop
  // after a minute: the screen asks again then, so the words do not outstay it.
  var rejoinCheck = null;

  function rejoining(live) {
    var phone = window.phonebankPhone;
    var on = !!live.rejoining && !!(phone && phone.wanted);
    if (on && !rejoinCheck) {
      rejoinCheck = window.setTimeout(function () {
        rejoinCheck = null;
        var cs = window.phonebankCallscreen;
        try { if (cs && cs.ws) { cs.ws.send("refresh"); } } catch (e) { /* reconnecting */ }
      }, 61000);
    }
    return on;
  }

  // The bank is paused or ending: no call comes and there is nothing to press, whatever the
  // state (the notice below says why).
  var HELD = {
    paused: "No calls while the phone bank is paused.",
    stopping: "No new calls: the phone bank is ending.",
    stopped: "No new calls: the phone bank has ended."
  };

  function heldText(live, state) {
    var held = HELD[live.bank_mode];
    if (!held || (state !== "idle" && state !== "waiting" && state !== "filed")) { return null; }
    return (state === "filed" ? "Report filed. " : "") + held;
  }

  function stateText(data, state) {
    var live = data.live;
    var callme = state === "not_dialed_in" && live.callme;
    var ringing = callme ? window.phonebankCallme.text(callme) : null;
    if (ringing) { return ringing; }
    if (live.ringing) {  // a call placed before a pause still rings
      var name = data.contact && data.contact.name;
      return name ? "Calling " + name + "\u2026" : "Calling\u2026";
    }
    var held = heldText(live, state);
    if (held) { return held; }
    if (state === "disconnected" && rejoining(live)) { return "Reconnecting\u2026"; }
    if (state === "waiting" && live.dialing) {
      return live.dialing.nothing_to_call ? NOTHING_TO_CALL : "Dialing for you\u2026";
    }
    var manual = live.dialing_mode === "preview" || live.dialing_mode === "personal";
    return (manual && manualText(data, state)) || STATES[state] || state;
  }

  function resultText(note, live) {
    var who = note.name ? note.name + (note.e164 ? " (" + note.e164 + ")" : "") : note.e164;
    var text = note.label + (who ? ": " + who + "." : ".");
    if (note.outcome) { text += " Recorded as \u201c" + note.outcome + "\u201d."; }
    if (live.preview) { text += " Your next contact is below."; }
    return text;
  }

  function renderResult(live) {
    var el = $("live-result");
    var notes = live.last_calls || [];
    var on = live.dialing_mode === "preview" && !live.call && live.state === "waiting" &&
      notes.length > 0;
    el.textContent = on ? resultText(notes[0], live) : "";
    el.dataset.result = on ? notes[0].result : "";
    show(el, on);
  }

  function renderRecent(live) {
    var el = $("live-recent");
    var notes = live.last_calls || [];
    var on = live.dialing_mode === "power" && live.state === "waiting" && notes.length > 0;
    el.textContent = on ? "Last numbers: " + notes.map(function (n) { return n.label; })
      .join(" \u00b7 ") : "";
    show(el, on);
  }

  function renderNotice(live) {
    var el = $("live-notice");
    var text = "";
    if (live.bank_mode === "paused") {
      text = "Your organizer paused this phone bank. Stay here: calls resume when it resumes.";
    } else if (live.bank_mode === "stopping" && live.state === "busy") {
      // A plain stop lets conversations finish: the line stays; the phone system closes it
      // (after "this phone bank has ended") once the bank is done.
      text = "This phone bank is ending: finish your conversation. No new call will come.";
    } else if (live.bank_mode === "stopping" || live.bank_mode === "stopped") {
      text = "This phone bank has ended. Thank you for volunteering! File your last report if " +
        "one is open.";
    } else if (live.state === "disconnected" && rejoining(live)) {
      text = "Your line dropped. Reconnecting your browser phone\u2026";
    } else if (live.state === "disconnected") {
      text = "You are no longer connected. Go back to your phone banks to join again.";
    }
    el.textContent = text;
    el.dataset.kind = live.bank_mode || "";
    show(el, text !== "");
  }

  // The browser phone follows the session: once it ended, no way to connect here (the way
  // back is the bank's page) and the phone leaves the room; its line says whether calls come.
  function renderPhone(live) {
    if (window.phonebankPhone && window.phonebankPhone.resume) {
      window.phonebankPhone.resume(live);  // after a reload: back in the room if it was theirs
    }
    // a browser line that dropped comes back by itself: the phone stays to rejoin the room
    var gone = live.state === "disconnected" && !rejoining(live);
    var back = $("btn-rejoin");
    back.href = live.bank_id ? "/banks/" + live.bank_id : "/banks";
    show(back, gone && live.bank_mode !== "stopping" && live.bank_mode !== "stopped");
    if (gone) {
      var leave = $("phone-hangup");
      if (leave && !leave.classList.contains("hidden")) { leave.click(); }
    }
    if (window.phonebankPhone) {
      window.phonebankPhone.follow({ state: live.state, mode: live.dialing_mode });
    }
  }

  // What became of the volunteer's "Leave voicemail message" (pushed by the socket), shown
  // until another call is on the screen.
  var VOICEMAIL = {
    waiting_for_beep: "Leaving your message after the machine\u2019s beep\u2026",
    left: "Your voicemail message was left.",
    not_left: "The machine hung up before the beep: no message was left."
  };

  var lastVoicemail = null;

  function renderVoicemail(data) {
    // Only the socket's screens carry it; an action's answer keeps what the socket said.
    if (data.voicemail !== undefined) { lastVoicemail = data.voicemail; }
    var vm = lastVoicemail, call = data.live.call;
    var on = !!(vm && VOICEMAIL[vm.state] && (!call || call.call_id === vm.call_id));
    var el = $("live-voicemail");
    el.textContent = on ? VOICEMAIL[vm.state] : "";
    el.dataset.state = on ? vm.state : "";
    show(el, on);
  }

  function render(data) {
    var live = data.live;
    var call = live.call;
    var state = live.state;
    if (call && call.needs_outcome && state !== "busy") { state = "wrap_up"; }
    // The engine keeps the volunteer in wrap-up until they press Ready; no report is due
    // once it is filed (or the dialer filed it), so the screen says so.
    else if (state === "wrap_up") { state = "filed"; }
    var stateEl = $("live-state");
    stateEl.dataset.state = state;
    stateEl.textContent = stateText(data, state);
    renderResult(live);
    renderRecent(live);
    renderNotice(live);
    renderPhone(live);
    renderVoicemail(data);
    window.phonebankCallme.render(live);
  }

  window.phonebankCallStatus = { render: render };
})();
