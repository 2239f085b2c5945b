/* Phonebank: joining a phone bank from its page (browser phone, dial in, call me). */
(function () {
  "use strict";
  var root = document.getElementById("bank");
  if (!root || root.dataset.running !== "yes") { return; }
  var bankId = root.dataset.bankId;
  var errorEl = document.getElementById("join-error");

  function fail(err) {
    errorEl.textContent = err.message;
    errorEl.classList.remove("hidden");
  }

  function join(via, extra) {
    var body = Object.assign({ via: via }, extra || {});
    return window.phonebankApi.post("/api/banks/" + bankId + "/join", body);
  }

  if (root.dataset.mode === "personal") {
    document.getElementById("join-personal").addEventListener("click", function () {
      join("browser").then(function () { window.location.href = "/call"; }, fail);
    });
    return;
  }
  document.getElementById("join-browser").addEventListener("click", function () {
    join("browser").then(function () { window.location.href = "/call?connect=1"; }, fail);
  });
  document.getElementById("join-dialin").addEventListener("click", function () {
    join("dialin").then(function () {
      document.getElementById("dialin-info").classList.remove("hidden");
      window.setTimeout(function () { window.location.href = "/call"; }, 100);
    }, fail);
  });
  document.getElementById("join-callme").addEventListener("click", function () {
    var number = document.getElementById("callme-number").value;
    join("callme", { number: number }).then(function () {
      window.location.href = "/call";
    }, fail);
  });
})();
