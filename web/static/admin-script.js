/* The script editor: blocks with a title, a text (with a variable picker), responses with a
 * "next block" drop-down, or a custom-field link whose options become the responses.
 * Saving posts the whole script; problems come back per block and show next to it. */
(function () {
  "use strict";
  var root = document.getElementById("script-editor");
  if (!root) { return; }
  var data = JSON.parse(root.getAttribute("data-editor"));
  var script = data.script;
  var fields = data.fields || {};
  var blocksEl = document.getElementById("blocks");
  var nameEl = document.getElementById("script-name");
  var statusEl = document.getElementById("script-status");
  var problemsEl = document.getElementById("script-problems");
  nameEl.value = script.name || "";
  nameEl.addEventListener("input", function () { script.name = nameEl.value; });

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function nextSelect(value, onChange) {
    var select = el("select", { "class": "next", "aria-label": "Next block" });
    select.appendChild(el("option", { value: "" }, "(end of script)"));
    var missing = value && !script.blocks.some(function (b) { return b.id === value; });
    if (missing) {  // a link to a deleted block: shown as such, so choosing anything is a change
      var gone = el("option", { value: value, "class": "missing" }, "(missing: " + value + ")");
      gone.selected = true;
      select.appendChild(gone);
      select.classList.add("missing-link");
      select.style.color = select.style.borderColor = "#b00020";
      select.title = "Block '" + value + "' no longer exists: pick another block or (end of script).";
    }
    script.blocks.forEach(function (b) {
      var opt = el("option", { value: b.id }, b.id + ": " + (b.title || ""));
      if (b.id === value) { opt.selected = true; }
      select.appendChild(opt);
    });
    select.addEventListener("change", function () { onChange(select.value || null); });
    return select;
  }

  function variablePicker(textarea, block) {
    var select = el("select", { "class": "variables", "aria-label": "Insert a variable" });
    select.appendChild(el("option", { value: "" }, "Insert variable…"));
    Object.keys(data.variables).forEach(function (group) {
      data.variables[group].forEach(function (name) {
        var v = group + "." + name;
        select.appendChild(el("option", { value: v }, v));
      });
    });
    select.addEventListener("change", function () {
      if (!select.value) { return; }
      var token = "{{ " + select.value + " }}";
      var at = textarea.selectionStart || textarea.value.length;
      textarea.value = textarea.value.slice(0, at) + token + textarea.value.slice(at);
      block.text = textarea.value;
      select.value = "";
    });
    return select;
  }

  function fieldSelect(block) {
    var select = el("select", { "class": "field", "aria-label": "Custom field" });
    select.appendChild(el("option", { value: "" }, "(own responses)"));
    Object.keys(fields).forEach(function (name) {
      // a text, number or date field has nothing to click: a block cannot ask it
      if (!fields[name].length && block.field !== name) { return; }
      var opt = el("option", { value: name }, "Field: " + name);
      if (block.field === name) { opt.selected = true; }
      select.appendChild(opt);
    });
    select.addEventListener("change", function () {
      if (select.value) {
        // the earlier field's branches name options this one may not have
        block.field = select.value; block.next = block.next || null; delete block.responses;
        delete block.branches;
      } else {
        delete block.field; delete block.next; delete block.branches; block.responses = [];
      }
      draw();
    });
    return select;
  }

  function responsesOf(block, box) {
    if (block.field) {
      (fields[block.field] || []).forEach(function (option) {
        var row = el("div", { "class": "response" });
        row.appendChild(el("input", { value: option, disabled: "disabled", "aria-label": "Option" }));
        var branches = block.branches || {};
        var own = Object.prototype.hasOwnProperty.call(branches, option);  // null: ends the script
        row.appendChild(nextSelect(own ? branches[option] : block.next, function (v) {
          block.branches = block.branches || {}; block.branches[option] = v;
        }));
        box.appendChild(row);
      });
      // The block's own next block: where an option without its own goes (and the only way
      // on for a field without options). Shown always, so a link to a deleted block shows.
      var rest = el("div", { "class": "default-next" });
      rest.appendChild(el("span", { "class": "muted" }, "Other answers go to"));
      rest.appendChild(nextSelect(block.next, function (v) { block.next = v; draw(); }));
      box.appendChild(rest);
      return;
    }
    block.responses = block.responses || [];
    block.responses.forEach(function (r, i) {
      var row = el("div", { "class": "response" });
      var label = el("input", { value: r.label, "aria-label": "Response", "class": "response-label" });
      label.addEventListener("input", function () { r.label = label.value; });
      row.appendChild(label);
      row.appendChild(nextSelect(r.next, function (v) { r.next = v; }));
      var remove = el("button", { type: "button", "class": "link" }, "Remove");
      remove.addEventListener("click", function () { block.responses.splice(i, 1); draw(); });
      row.appendChild(remove);
      box.appendChild(row);
    });
    var add = el("button", { type: "button", "class": "add-response" }, "Add response");
    add.addEventListener("click", function () {
      block.responses.push({ label: "Response " + (block.responses.length + 1), next: null });
      draw();
    });
    box.appendChild(add);
  }

  function relink(old, name) {
    script.blocks.forEach(function (b) {
      if (b.next === old) { b.next = name; }
      (b.responses || []).forEach(function (r) { if (r.next === old) { r.next = name; } });
      Object.keys(b.branches || {}).forEach(function (k) {
        if (b.branches[k] === old) { b.branches[k] = name; }
      });
    });
  }

  function rename(block, input) {  // every link to the block follows it to its new id
    var old = block.id, name = input.value.trim();
    if (name === old) { input.value = old; return; }
    var taken = script.blocks.some(function (b) { return b !== block && b.id === name; });
    if (!name || taken) {
      input.value = old;
      statusEl.textContent = name ? "Not renamed: there is already a block '" + name + "'."
        : "Not renamed: a block needs an id.";
      return;
    }
    relink(old, name);
    block.id = name;
    draw();
  }

  function drawBlock(block, index) {
    var box = el("div", { "class": "block", "data-block": block.id, "data-testid": "block" });
    var head = el("div", { "class": "toolbar" });
    head.appendChild(el("strong", {}, index === 0 ? "Start: " : ""));
    var id = el("input", { value: block.id, "aria-label": "Block id", "class": "block-id", size: "10" });
    id.addEventListener("change", function () { rename(block, id); });
    var title = el("input", { value: block.title || "", "aria-label": "Block title", "class": "block-title" });
    title.addEventListener("input", function () { block.title = title.value; });
    head.appendChild(id); head.appendChild(title); head.appendChild(fieldSelect(block));
    var remove = el("button", { type: "button", "class": "link" }, "Delete block");
    remove.addEventListener("click", function () { script.blocks.splice(index, 1); draw(); });
    head.appendChild(remove);
    box.appendChild(head);
    box.appendChild(el("div", { "class": "problems", "data-testid": "block-problems" }));
    var text = el("textarea", { rows: "3", "aria-label": "Block text", "class": "block-text" });
    text.value = block.text || "";
    text.addEventListener("input", function () { block.text = text.value; });
    box.appendChild(text);
    box.appendChild(variablePicker(text, block));
    responsesOf(block, box);
    return box;
  }

  function draw() {
    blocksEl.textContent = "";
    script.blocks.forEach(function (b, i) { blocksEl.appendChild(drawBlock(b, i)); });
  }

  document.getElementById("add-block").addEventListener("click", function () {
    var n = script.blocks.length + 1;
    while (script.blocks.some(function (b) { return b.id === "b" + n; })) { n += 1; }
    script.blocks.push({ id: "b" + n, title: "Block " + n, text: "", responses: [] });
    draw();
  });

  function showProblems(problems) {
    document.querySelectorAll(".block").forEach(function (b) {
      b.classList.remove("has-problem");
      b.querySelector(".problems").textContent = "";
    });
    var general = [];
    problems.forEach(function (p) {
      var box = p.block && document.querySelector('.block[data-block="' + CSS.escape(p.block) + '"]');
      if (box) {
        box.classList.add("has-problem");
        box.querySelector(".problems").textContent += p.message + ". ";
      } else { general.push(p.message); }
    });
    problemsEl.hidden = general.length === 0;
    problemsEl.textContent = general.join("; ");
  }

  document.getElementById("save-script").addEventListener("click", function () {
    statusEl.textContent = "Saving…";
    var body = { name: script.name, blocks: script.blocks };
    var token = document.querySelector('meta[name="csrf-token"]').content;
    fetch("/api/admin/banks/" + root.getAttribute("data-bank") + "/script", {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token }
    }).then(function (response) {
      return response.json().then(function (result) {
        if (response.ok) {
          showProblems([]);
          script.name = nameEl.value = result.name || script.name;
          statusEl.textContent = result.notice ? "Saved. " + result.notice : "Saved.";
          return;
        }
        statusEl.textContent = "Not saved: fix the problems shown.";
        showProblems(result.problems || [{ message: result.message || "not saved" }]);
      });
    }).catch(function () { statusEl.textContent = "Not saved: the server cannot be reached."; });
  });

  draw();
})();
