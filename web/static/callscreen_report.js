/* Phonebank call screen: the report form (tags, fields, notes) and its draft.
 *
 * window.phonebankReport(cs) works on the call screen's state `cs` (callId, path) and gives
 * fill(report, saved), current(), load(serverDraft), save() and key(). A draft is kept in
 * localStorage and sent to the server (a short pause after typing), per call.
 */
(function () {
  "use strict";
  window.phonebankReport = function (cs) {
    var api = window.phonebankApi;
    var $ = function (id) { return document.getElementById(id); };
    function draftKey() { return "phonebank-draft-" + cs.callId; }

    function fillReport(report, saved) {
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

    return { fill: fillReport, current: currentDraft, load: loadDraft, save: saveDraft,
      key: draftKey };
  };
})();
