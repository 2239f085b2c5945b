/* Phonebank call screen: how the volunteer's "Call me" call goes.
 *
 * The server puts the last step in live.callme while their session waits for a line
 * (ringing, answered, unreached with a reason; gone once they joined). The status line says
 * it (window.phonebankCallme.text) and, when we could not reach them, **Call me again**
 * rings the same number (#btn-callme; the bank's page also offers every way to join).
 */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var WHY = {
    no_answer: "Nobody answered.",
    busy: "The line was busy.",
    failed: "The call did not go through.",
    not_accepted: "The call ended before 1 was pressed.",
    not_placed: "The phone system did not answer."
  };

  function pretty(e164) {
    var m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164 || "");
    return m ? "(" + m[1] + ") " + m[2] + "-" + m[3] : e164;
  }

  function text(callme) {
    var at = pretty(callme.number);
    if (callme.state === "ringing") {
      return "We are calling you at " + at + ": answer and press 1.";
    }
    if (callme.state === "answered") { return "You answered: press 1 to join."; }
    if (callme.state === "unreached") {
      return "We could not reach you at " + at + ". " + (WHY[callme.reason] || "") +
        " Press \u201cCall me again\u201d or join another way.";
    }
    return null;
  }

  var last = null;

  function render(live) {
    var callme = live.state === "not_dialed_in" ? live.callme : null;
    last = callme ? { bank: live.bank_id, number: callme.number } : null;
    var btn = $("btn-callme");
    btn.classList.toggle("hidden", !(callme && callme.state === "unreached"));
    btn.disabled = false;
  }

  function again() {
    if (!last) { return; }
    var btn = $("btn-callme");
    btn.disabled = true;
    window.phonebankApi.post("/api/banks/" + last.bank + "/join",
      { via: "callme", number: last.number }).catch(function (err) {
      btn.disabled = false;
      var el = $("live-notice");
      el.textContent = err.message;
      el.classList.remove("hidden");
    });
  }

  $("btn-callme").addEventListener("click", again);
  window.phonebankCallme = { text: text, render: render };
})();
