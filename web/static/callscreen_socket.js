/* Phonebank call screen: the live-updates socket.
 *
 * The server pushes the whole screen over it on connect and after every change. A socket
 * that closes is reopened (backing off up to 5 s), except one closed with 4401 (the sign-in
 * ended): the page is reloaded instead, and the server answers with the sign-in page. When the tab comes back (shown again,
 * resumed after the browser froze it, back online, restored from the back/forward cache)
 * the page asks for the screen at once; a socket that stays silent then is dead (the
 * network dropped it while the tab slept, and nobody said so) and is replaced.
 */
window.phonebankLiveSocket = function (cs, path, handlers) {
  "use strict";
  var SILENT_MS = 3000;

  function open() {
    if (cs.ws && cs.ws.readyState <= 1) { return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + window.location.host + path);
    cs.ws = ws;
    ws.addEventListener("open", function () { cs.retry = 0; handlers.up(); });
    ws.addEventListener("message", function (e) {
      if (cs.ws !== ws) { return; }  // a replaced socket that woke up late
      var msg = JSON.parse(e.data);
      cs.messages += 1;
      if (msg.type === "state") { handlers.state(msg); }
    });
    ws.addEventListener("close", function (event) {
      if (cs.ws !== ws) { return; }
      if (event.code === 4401) { window.location.reload(); return; }  // signed out: sign in again
      cs.reconnects += 1;
      handlers.down();
      var delay = Math.min(5000, 250 * Math.pow(2, cs.retry++));
      window.setTimeout(open, delay);
    });
  }

  function replace(ws) {
    if (cs.ws !== ws) { return; }
    cs.ws = null;
    cs.reconnects += 1;
    cs.stale += 1;
    handlers.down();
    try { ws.close(); } catch (e) { /* already closing */ }
    open();
  }

  function check() {
    if (document.visibilityState !== "visible") { return; }
    var ws = cs.ws;
    if (!ws || ws.readyState > 1) { open(); return; }
    if (ws.readyState !== 1) { return; }
    var seen = cs.messages;
    ws.send("refresh");
    window.setTimeout(function () { if (cs.messages === seen) { replace(ws); } }, SILENT_MS);
  }

  document.addEventListener("visibilitychange", check);
  document.addEventListener("resume", check);
  window.addEventListener("online", check);
  window.addEventListener("pageshow", function (e) { if (e.persisted) { check(); } });
  return { open: open, check: check };
};
