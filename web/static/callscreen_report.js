/* Phonebank call screen: the report form (tags, fields, notes) and its draft.
 *
 * window.phonebankReport(cs) works on the call screen's state `cs` (callId, path) and gives
 * fill(report, saved), current(), load(serverDraft), save() and key(). A draft is kept in
 * localStorage and sent to the server (a short pause after typing), per call. renderFor
 * (contact) and forWhom(): whom the outcome is for when several people share the number.
 */
(function () {
  "use strict";
  window.phonebankReport = function (cs) {
    var api = window.phonebankApi;
    var $ = function (id) { return document.getElementById(id); };
    function draftKey() { return "phonebank-draft-" + cs.callId; }

    function fillReport(report, saved) {
      cs.outcomeFor = null;  // a new call: the person named at the top again
      var tags = $("report-tags"), fields = $("report-fields");
      tags.textContent = ""; fields.textContent = "";
      (report ? report.tags : []).forEach(function (t) {
        var label = document.createElement("label");
        label.className = "check";
        var box = document.createElement("input");
        box.type = "checkbox"; box.value = t; box.name = "tag";
        box.checked = (saved.tags || []).indexOf(t) >= 0;
        box.addEventListener("change", saveDraft);
        label.appendChild(box); label.appendChild(document.createTextNode(" " + t));
        tags.appendChild(label);
      });
      (report ? report.fields : []).forEach(function (f) {
        var label = document.createElement("label");
        label.textContent = f.name;
        var input;
        if (f.options && f.options.length) {
          input = document.createElement("select");
          [""].concat(f.options).forEach(function (o) {
            var opt = document.createElement("option"); opt.value = o; opt.textContent = o;
            input.appendChild(opt);
          });
        } else { input = document.createElement("input"); input.type = "text"; }
        input.dataset.field = f.name;
        input.value = (saved.fields || {})[f.name] || "";
        input.addEventListener("change", saveDraft);
        label.appendChild(input);
        fields.appendChild(label);
      });
      $("report-notes").value = saved.notes || "";
    }

    function currentDraft() {
      var fields = {};
      document.querySelectorAll("#report-fields [data-field]").forEach(function (el) {
        fields[el.dataset.field] = el.value;
      });
      var tags = [];
      document.querySelectorAll("#report-tags input:checked").forEach(function (el) {
        tags.push(el.value);
      });
      return { call_id: cs.callId, path: cs.path, notes: $("report-notes").value, tags: tags,
        fields: fields };
    }

    function loadDraft(server) {
      var local = null;
      try { local = JSON.parse(window.localStorage.getItem(draftKey()) || "null"); } catch (e) { }
      return local || server || {};
    }

    var draftTimer = null;
    function saveDraft() {
      if (!cs.callId) { return; }
      var draft = currentDraft();
      try { window.localStorage.setItem(draftKey(), JSON.stringify(draft)); } catch (e) { }
      window.clearTimeout(draftTimer);
      draftTimer = window.setTimeout(function () {
        api.post("/api/call/draft", draft).catch(function () { /* local copy kept */ });
      }, 400);
    }

    // Whom the outcome is for, when several people share the number: the person named at
    // the top by default, another one, or everyone on the number (an outcome filed for one
    // person is theirs only). One person on the number: no choice, as before.
    function renderFor(contact) {
      var people = contact ? contact.household : [];
      var box = $("outcome-for-people");
      box.textContent = "";
      $("outcome-for").classList.toggle("hidden", people.length < 2);
      if (people.length < 2) { cs.outcomeFor = null; return; }
      var choices = people.filter(function (p) { return !p.wrong_number; })
        .map(function (p) { return { value: String(p.id), label: p.name.trim() }; });
      choices.push({ value: "all", label: "Everyone on this number" });
      var known = choices.some(function (c) { return c.value === cs.outcomeFor; });
      // by default the person named at top, unless marked a wrong number: then the first
      // one who is not (never someone the volunteer just said is not at this number)
      if (!known) {
        var top = choices.some(function (c) { return c.value === String(contact.id); });
        cs.outcomeFor = top ? String(contact.id) : choices[0].value;
      }
      choices.forEach(function (c) {
        var label = document.createElement("label");
        label.className = "check";
        var radio = document.createElement("input");
        radio.type = "radio"; radio.name = "outcome-for"; radio.value = c.value;
        radio.checked = c.value === cs.outcomeFor;
        radio.addEventListener("change", function () { cs.outcomeFor = c.value; });
        label.appendChild(radio); label.appendChild(document.createTextNode(" " + c.label));
        box.appendChild(label);
      });
    }

    // The contact_id to file the outcome for (null: everyone on the call).
    function forWhom() {
      var v = cs.outcomeFor;
      return v && v !== "all" ? parseInt(v, 10) : null;
    }

    return { fill: fillReport, current: currentDraft, load: loadDraft, save: saveDraft,
      key: draftKey, renderFor: renderFor, forWhom: forWhom };
  };
})();
