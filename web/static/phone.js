/* Phonebank browser phone.
 *
 * 1. Ask for the microphone first (getUserMedia) and show its level (the mic check).
 * 2. Fetch this volunteer's SIP credentials from the app.
 * 3. Register over the app's WebSocket (/phone/ws, relayed to the PBX) with JsSIP.
 * 4. Join the volunteer's own call room and stay there; calls are bridged into it.
 * JsSIP reconnects the socket by itself; this file re-registers and re-joins as needed and
 * tells the volunteer, in plain words, what is going on.
 */
(function () {
  "use strict";

  var MESSAGES = {
    "idle": "Press \u201cConnect my phone\u201d to start.",
    "mic-check": "Checking your microphone\u2026",
    "mic-blocked": "Your browser is blocking the microphone. Click the microphone or lock " +
      "icon in the address bar, choose Allow, then press \u201cTry again\u201d.",
    "mic-missing": "No microphone was found. Plug in a headset or microphone, then press " +
      "\u201cTry again\u201d.",
    "connecting": "Connecting to the phone system\u2026",
    "registered": "Phone connected. Joining your call room\u2026",
    "in-room": "You are in your call room. Calls come here while you are in a phone bank.",
    "reconnecting": "The connection dropped. Reconnecting\u2026 Stay on this page.",
    "unreachable": "Cannot reach the phone system yet. Retrying\u2026 Stay on this page; " +
      "if this lasts more than a minute, tell an organizer.",
    "left": "You left your call room. Press \u201cConnect my phone\u201d to come back.",
    "signed-out": "You are signed out, so your phone is off and no call comes to it. " +
      "Sign in again to take calls.",
    "error": "Something went wrong with the phone."
  };

  var SIGNED_OUT = 4401;  // the relay's close code once the volunteer may no longer call
  var root = document.getElementById("phone");
  if (!root) { return; }
  var statusEl = document.getElementById("phone-status");
  var meter = document.getElementById("mic-level");
  var audioEl = document.getElementById("phone-audio");
  var connectBtn = document.getElementById("phone-connect");
  var retryBtn = document.getElementById("phone-retry");
  var hangupBtn = document.getElementById("phone-hangup");

  var phone = {
    state: "idle", ua: null, session: null, stream: null, credentials: null,
    wanted: false, starting: false, rejoinTimer: null, reconnects: 0, registrations: 0, history: [], bank: null
  };
  window.phonebankPhone = phone;

  function show(el, visible) { el.classList.toggle("hidden", !visible); }

  // The call room's line follows what the call screen says of the volunteer's session
  // (phone.follow): calls only come while the engine has them in the bank.
  function roomText() {
    var bank = phone.bank;
    if (!bank) { return MESSAGES["in-room"]; }
    if (bank.state === "disconnected" || bank.state === "not_joined") {
      return "You are in your call room, but not in a phone bank: no call comes here.";
    }
    if (bank.state === "not_dialed_in") {
      return "You are in your call room. Joining the phone bank\u2026";
    }
    if (bank.mode === "preview") {
      return "You are in your call room. You hear the calls you place here.";
    }
    return "You are in your call room. Calls will come to you here.";
  }

  function showText(detail) {
    var text = phone.state === "in-room" ? roomText() : MESSAGES[phone.state];
    statusEl.textContent = detail ? text + " " + detail : text;
  }

  phone.follow = function (bank) {
    phone.bank = bank;
    if (phone.state === "in-room") { showText(""); }
  };

  function setState(state, detail) {
    phone.state = state;
    phone.history.push(state);
    statusEl.dataset.state = state;
    showText(detail);
    var failed = state === "mic-blocked" || state === "mic-missing" || state === "error";
    if (state === "in-room") { remember(true); } else if (failed) { remember(false); }
    show(retryBtn, failed);
    show(connectBtn, state === "idle" || state === "left");
    show(hangupBtn, ["in-room", "registered", "reconnecting", "unreachable"].indexOf(state) >= 0);
  }

  function startMeter(stream) {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return; }
    var ctx = new Ctx();
    var analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    ctx.createMediaStreamSource(stream).connect(analyser);
    var data = new Float32Array(analyser.fftSize);
    function tick() {
      analyser.getFloatTimeDomainData(data);
      var sum = 0;
      for (var i = 0; i < data.length; i++) { sum += data[i] * data[i]; }
      meter.value = Math.min(1, Math.sqrt(sum / data.length) * 4);
      phone.micLevel = meter.value;
      window.requestAnimationFrame(tick);
    }
    tick();
  }

  async function getMicrophone() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setState("error", "This browser cannot use a microphone on this page.");
      return null;
    }
    try {
      return await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    } catch (err) {
      if (err.name === "NotAllowedError" || err.name === "SecurityError") {
        setState("mic-blocked");
      } else if (err.name === "NotFoundError" || err.name === "OverconstrainedError") {
        setState("mic-missing");
      } else {
        setState("error", "(" + err.name + ")");
      }
      return null;
    }
  }

  async function fetchCredentials() {
    var response = await fetch(root.dataset.credentialsUrl, {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    });
    if (response.status === 401) { window.location.href = "/login?next=/phone"; return null; }
    var body = await response.json();
    if (!response.ok) {
      setState("error", body.message || "");
      return null;
    }
    return body;
  }

  function socketUrl(path) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + path;
  }

  function register(creds) {
    var socket = new JsSIP.WebSocketInterface(socketUrl(creds.ws_path));
    var ua = new JsSIP.UA({
      sockets: [socket],
      uri: creds.uri,
      authorization_user: creds.username,
      password: creds.password,
      display_name: creds.display_name,
      register: true,
      register_expires: 300,
      session_timers: false,
      connection_recovery_min_interval: 1,
      connection_recovery_max_interval: 8,
      user_agent: "Phonebank browser phone"
    });
    ua.on("disconnected", function (e) {
      if (!phone.wanted) { return; }
      if (e && e.code === SIGNED_OUT) {  // the app took this phone back: no use retrying
        phone.wanted = false;
        remember(false);
        ua.stop();
        setState("signed-out");
        return;
      }
      phone.reconnects += 1;
      setState(phone.registrations > 0 ? "reconnecting" : "unreachable");
    });
    ua.on("registered", function () {
      phone.registrations += 1;
      if (phone.session && !phone.session.isEnded()) { setState("in-room"); return; }
      setState("registered");
      joinRoom();
    });
    ua.on("registrationFailed", function (e) {
      if (phone.wanted && e.cause !== JsSIP.C.causes.CONNECTION_ERROR) {
        setState("error", "The phone system refused this browser (" + e.cause + "). " +
          "Reload the page; if it happens again, tell an organizer.");
      }
    });
    phone.ua = ua;
    ua.start();
  }

  function scheduleRejoin() {
    window.clearTimeout(phone.rejoinTimer);
    phone.rejoinTimer = window.setTimeout(function () {
      if (phone.wanted && phone.ua && phone.ua.isRegistered()) { joinRoom(); }
    }, 2000);
  }

  function joinRoom() {
    if (!phone.wanted || (phone.session && !phone.session.isEnded())) { return; }
    var session = phone.ua.call(phone.credentials.room_uri, {
      mediaStream: phone.stream,
      pcConfig: { iceServers: [] },
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
      eventHandlers: {
        peerconnection: function (e) {
          e.peerconnection.addEventListener("track", function (ev) {
            audioEl.srcObject = ev.streams[0];
          });
        }
      }
    });
    phone.session = session;
    session.on("confirmed", function () { setState("in-room"); });
    session.on("ended", onSessionOver);
    session.on("failed", onSessionOver);
  }

  function onSessionOver(e) {
    phone.session = null;
    if (!phone.wanted) { return; }
    setState(phone.ua && phone.ua.isRegistered() ? "registered" : "reconnecting",
      e && e.cause ? "(" + e.cause + ")" : "");
    scheduleRejoin();
  }

  // The tab remembers which page's phone was in the call room (until the volunteer leaves
  // it, or it fails), so a reload of that page puts them back without a click. The call
  // screen waits for the volunteer's state first: only a browser line of theirs is brought
  // back (not one for a volunteer now on a dial-in or "call me" line, or in no bank).
  var REMEMBER = "phonebank.phone.on";

  function remember(on) {
    try {
      if (on) { window.sessionStorage.setItem(REMEMBER, window.location.pathname); }
      else { window.sessionStorage.removeItem(REMEMBER); }
    } catch (e) { /* storage off: a reload asks for a click */ }
  }

  function remembered() {
    try { return window.sessionStorage.getItem(REMEMBER) === window.location.pathname; }
    catch (e) { return false; }
  }

  // Decided on the first state that says: the volunteer's browser line dropped a moment
  // ago (the reload's own) -> back; any other line or state -> forget. While a browser line
  // of theirs is still in the room (the page's old one not gone yet, or another tab's), wait.
  var resumeDone = false;
  phone.resume = function (live) {
    if (resumeDone) { return; }
    if (!remembered() || phone.wanted) { resumeDone = true; return; }
    var ours = live.via === "browser" && live.dialing_mode !== "personal";
    if (ours && live.state !== "disconnected" && live.state !== "not_joined") { return; }
    resumeDone = true;
    if (ours && live.state === "disconnected" && live.rejoining) { connect(); }
    else { remember(false); }
  };

  async function connect() {
    if (phone.starting) { return; }  // already on its way (a reload's own connect)
    phone.starting = true;
    try { await start(); } finally { phone.starting = false; }
  }

  async function start() {
    phone.wanted = true;
    setState("mic-check");
    if (!phone.stream) {
      phone.stream = await getMicrophone();
      if (!phone.stream) { phone.wanted = false; return; }
      startMeter(phone.stream);
    }
    setState("connecting");
    phone.credentials = phone.credentials || await fetchCredentials();
    if (!phone.credentials) { phone.wanted = false; return; }
    if (phone.ua) {
      if (phone.ua.isRegistered()) { joinRoom(); } else { phone.ua.start(); }
      return;
    }
    register(phone.credentials);
  }

  function leave() {
    phone.wanted = false;
    remember(false);
    window.clearTimeout(phone.rejoinTimer);
    if (phone.session && !phone.session.isEnded()) { phone.session.terminate(); }
    phone.session = null;
    if (phone.ua && !phone.ua.isRegistered()) {
      phone.ua.stop();  // stop retrying a phone system that cannot be reached
      phone.ua = null;
    }
    setState("left");
  }

  // Being in the call room counts as activity: keep the sign-in alive while connected.
  window.setInterval(function () {
    if (!phone.wanted) { return; }
    fetch("/api/session", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 401) { window.location.href = "/login?next=/phone"; }
      })
      .catch(function () { /* offline: the socket's reconnect reports it */ });
  }, 5 * 60 * 1000);

  connectBtn.addEventListener("click", connect);
  retryBtn.addEventListener("click", connect);
  hangupBtn.addEventListener("click", leave);
  window.addEventListener("beforeunload", function () {
    if (phone.ua) { phone.ua.stop(); }
  });
  setState("idle");
  if (remembered() && root.dataset.resume !== "live") { connect(); }  // the Phone page
})();
