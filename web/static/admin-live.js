/* A start in progress (the bank page, the banks list): the bank's live websocket tells how
 * far its queue has got; once the start has ended (running, or interrupted) the page is
 * shown again. */
(function () {
  "use strict";
  function shownAgain() {
    var url = new URL(window.location.href);
    url.searchParams.delete("done");
    window.location.replace(url.toString());
  }

  function follow(node) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var id = node.getAttribute("data-start-bank");
    var ws = new WebSocket(scheme + window.location.host + "/api/admin/banks/" + id + "/live/ws");
    ws.onmessage = function (event) {
      var start = JSON.parse(event.data).start;
      if (start && start.state === "starting") { node.textContent = start.message; return; }
      ws.onclose = null;
      ws.close();
      shownAgain();
    };
    ws.onclose = function (event) {
      if (event.code === 4401) { shownAgain(); return; }  // signed out: the page says so
      window.setTimeout(function () { follow(node); }, 2000);
    };
  }

  var starting = document.querySelectorAll('[data-start-bank][data-start-state="starting"]');
  Array.prototype.forEach.call(starting, follow);
})();

/* The live dashboard: a websocket sends snapshots of the bank (figures, volunteers, chart
 * series); this draws tiles, the filterable volunteers table and three SVG charts. */
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) { return; }
  var bankId = root.getAttribute("data-bank");
  var last = null;
  var SVG = "http://www.w3.org/2000/svg";

  function fmt(v, digits) {
    if (v === null || v === undefined) { return "–"; }
    if (typeof v === "number" && digits !== undefined) { return v.toFixed(digits); }
    return String(v);
  }

  function duration(s) {
    s = Math.round(s || 0);
    var m = Math.floor(s / 60);
    return m > 0 ? m + "m " + (s % 60) + "s" : s + "s";
  }

  function setFigure(key, text) {
    var node = root.parentNode.querySelector('[data-figure="' + key + '"]');
    if (node) { node.textContent = text; }
  }

  function drawFigures(data) {
    var f = data.figures || {};
    var cap = data.bank.abandon_cap_pct;
    var plain = ["calls_made", "assigned", "completed", "contacts_made", "dropped", "in_flight",
                 "volunteers_on", "volunteers_active", "volunteers_idle", "volunteers_in_call",
                 "dial_level", "abandon_budget"];
    plain.forEach(function (k) { setFigure(k, fmt(f[k])); });
    var remaining = f.calls_remaining !== undefined ? f.calls_remaining : data.queue.ready;
    setFigure("calls_remaining", fmt(remaining));
    setFigure("avg_wait_between", fmt(f.avg_wait_between, 1));
    setFigure("avg_call_wait", fmt(f.avg_call_wait, 2));
    var rate = f.abandon_rate !== undefined ? f.abandon_rate * 100 : data.calls.abandon_rate_pct;
    setFigure("abandon", fmt(rate, 2) + "% / " + cap + "%");
    setFigure("hangtime", fmt(f.hangtime_p50, 2) + " / " + fmt(f.hangtime_p95, 2));
    setFigure("verdict_hangtime", fmt(f.verdict_hangtime_p50, 3) + " / " + fmt(f.verdict_hangtime_p95, 3));
    var state = document.getElementById("live-state");
    state.textContent = data.start ? data.start.message : data.bank.state;
    state.className = "state state-" + data.bank.state;
    document.getElementById("sim-count").textContent = String(data.simulated || 0);
    drawNetwork(f);
  }

  function drawNetwork(f) {
    // dialing held while the phone network fails (congestion, trunk down): say so and until when
    var node = document.getElementById("live-network");
    var held = f.dialing_held_until;
    node.hidden = !held;
    if (!held) { node.textContent = ""; return; }
    var until = new Date(held * 1000).toLocaleTimeString();
    node.textContent = "The phone network failed the last " + f.network_failures +
      " calls (congestion or the trunk down): dialing is held until " + until +
      ", then one call at a time until one gets through. No contact is used up." +
      " If it lasts, check the SIP trunk (System check).";
  }

  function drawVolunteers() {
    if (!last) { return; }
    var filter = document.getElementById("vol-filter").value.trim().toLowerCase();
    var body = document.getElementById("vol-rows");
    body.textContent = "";
    last.volunteers.forEach(function (v) {
      var text = (v.name + " " + v.state + " " + v.via + " " + v.disposition).toLowerCase();
      if (filter && text.indexOf(filter) < 0) { return; }
      var tr = document.createElement("tr");
      tr.setAttribute("data-volunteer", v.name);
      tr.setAttribute("data-state", v.state);
      var ago = v.state === "waiting" || v.state === "busy" || v.state === "wrap_up" ? "now" : duration(v.idle_for) + " ago";
      [v.name, v.state, v.via, ago, v.disposition || "–", duration(v.call_time),
       duration(v.active_time), String(v.calls_assigned)].forEach(function (cell, i) {
        var td = document.createElement("td");
        td.textContent = cell;
        if (i >= 5) { td.className = "num"; }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function svgNode(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function clear(svg) { while (svg.firstChild) { svg.removeChild(svg.firstChild); } }

  function drawCalls(series) {
    var svg = document.getElementById("chart-calls");
    clear(svg);
    var max = Math.max(1, Math.max.apply(null, series.map(function (p) { return p.calls; }).concat([1])));
    var w = 300 / Math.max(series.length, 12);
    series.forEach(function (p, i) {
      var h = 140 * p.calls / max, hc = 140 * p.contacts / max;
      svg.appendChild(svgNode("rect", { x: i * w + 1, y: 150 - h, width: w / 2 - 1, height: h, "class": "bar-calls" }));
      svg.appendChild(svgNode("rect", { x: i * w + w / 2, y: 150 - hc, width: w / 2 - 1, height: hc, "class": "bar-contacts" }));
    });
    svg.setAttribute("data-points", String(series.length));
  }

  function drawOutcomes(data) {
    var svg = document.getElementById("chart-outcomes");
    clear(svg);
    var items = [];
    Object.keys(data.results).forEach(function (k) { items.push(["call: " + k, data.results[k]]); });
    Object.keys(data.outcomes).forEach(function (k) { items.push([k, data.outcomes[k]]); });
    var max = Math.max.apply(null, items.map(function (x) { return x[1]; }).concat([1]));
    var h = 150 / Math.max(items.length, 6);
    items.forEach(function (item, i) {
      var w = 180 * item[1] / max;
      svg.appendChild(svgNode("rect", { x: 110, y: i * h + 1, width: w, height: h - 2, "class": "bar-calls" }));
      var label = svgNode("text", { x: 2, y: i * h + h * 0.7, "font-size": Math.min(10, h * 0.8) });
      label.textContent = item[0] + " (" + item[1] + ")";
      svg.appendChild(label);
    });
    svg.setAttribute("data-points", String(items.length));
  }

  function drawAbandon(series, cap) {
    var svg = document.getElementById("chart-abandon");
    clear(svg);
    var top = Math.max(cap * 2, 1, Math.max.apply(null, series.map(function (p) { return p.abandon_pct; }).concat([0])));
    var y = function (v) { return 150 - 145 * v / top; };
    svg.appendChild(svgNode("line", { x1: 0, x2: 300, y1: y(cap), y2: y(cap), "class": "cap-line" }));
    if (series.length > 0) {
      var step = 300 / Math.max(series.length - 1, 1);
      var points = series.map(function (p, i) { return (i * step) + "," + y(p.abandon_pct); }).join(" ");
      svg.appendChild(svgNode("polyline", { points: points, "class": "line-abandon" }));
      series.forEach(function (p, i) {
        svg.appendChild(svgNode("circle", { cx: i * step, cy: y(p.abandon_pct), r: 3, "class": "dot-abandon" }));
      });
    }
    svg.setAttribute("data-points", String(series.length));
  }

  function apply(data) {
    last = data;
    drawFigures(data);
    drawVolunteers();
    drawCalls(data.series);
    drawOutcomes(data);
    drawAbandon(data.series, data.bank.abandon_cap_pct);
  }

  var conn = document.getElementById("live-conn");
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + window.location.host + "/api/admin/banks/" + bankId + "/live/ws");
    ws.onopen = function () { conn.textContent = "live"; };
    ws.onmessage = function (event) { apply(JSON.parse(event.data)); };
    ws.onclose = function (event) {
      if (event.code === 4401) { window.location.reload(); return; }  // signed out: sign in
      conn.textContent = "reconnecting…";
      window.setTimeout(connect, 2000);
    };
  }

  function simulated(on) {
    var status = document.getElementById("sim-status");
    status.textContent = on ? "Adding…" : "Removing…";
    window.phonebankApi.post("/api/admin/banks/" + bankId + "/simulated", { on: on, count: 5 })
      .then(function (r) { status.textContent = r.simulated + " simulated volunteers on."; })
      .catch(function (err) { status.textContent = err.message; });
  }

  document.getElementById("vol-filter").addEventListener("input", drawVolunteers);
  document.getElementById("sim-on").addEventListener("click", function () { simulated(true); });
  document.getElementById("sim-off").addEventListener("click", function () { simulated(false); });
  window.phonebankApi.get("/api/admin/banks/" + bankId + "/live").then(apply);
  connect();
})();
