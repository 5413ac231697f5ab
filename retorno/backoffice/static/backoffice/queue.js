// Keyboard shortcuts and "select all" for the returns queue. Progressive: without this file the
// checkboxes, the action list and its button do the same; nothing here is needed to work.
(function () {
  "use strict";
  var table = document.getElementById("queue");
  var form = document.getElementById("bulk-form");
  if (!table || !form) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-rma]"));
  var current = -1;
  var help = document.getElementById("shortcuts");
  var all = document.getElementById("pick-all");
  var count = document.getElementById("bulk-count");
  var action = document.getElementById("bulk-action");
  if (help) { help.hidden = false; }
  if (all) { all.hidden = false; }

  function boxes() { return form.querySelectorAll("input[name=rma]"); }
  function ticked() { return form.querySelectorAll("input[name=rma]:checked").length; }
  function showCount() {
    if (!count) { return; }
    var n = ticked();
    count.textContent = n ? (count.getAttribute("data-template") || "{n}").replace("{n}", n) : "";
  }

  function focusRow(i) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (row, j) { row.classList.toggle("current", j === current); });
    var link = rows[current].querySelector("a.rma");
    if (link) { link.focus(); }
  }

  if (all) {
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(boxes(), function (box) { box.checked = all.checked; });
      showCount();
    });
  }
  form.addEventListener("change", showCount);

  function runAction(code) {
    if (!action || !ticked()) { return false; }
    var option = action.querySelector("option[value='" + code + "']");
    if (!option) { return false; }
    action.value = code;
    form.submit();  // goes to the confirmation page that names how many
    return true;
  }

  var keys = { a: "approve", r: "reject", g: "assign", l: "labels", e: "export" };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    var typing = target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) &&
      !(target.tagName === "INPUT" && target.type === "checkbox");
    if (typing) {
      if (event.key === "Escape" && target.blur) { target.blur(); }
      return;
    }
    var key = event.key;
    if (key === "j") { focusRow(current + 1); }
    else if (key === "k") { focusRow(current - 1); }
    else if (key === "x" && current >= 0) {
      var box = rows[current].querySelector("input[name=rma]");
      if (box) { box.checked = !box.checked; showCount(); }
    }
    else if ((key === "o" || key === "Enter") && current >= 0 && target === document.body) {
      window.location.href = rows[current].getAttribute("data-href");
    }
    else if (key === "o" && current >= 0) { window.location.href = rows[current].getAttribute("data-href"); }
    else if (key === "/") {
      var search = document.querySelector("input[type=search]");
      if (search) { search.focus(); search.select(); }
    }
    else if (key === "?") { if (help) { help.open = !help.open; } }
    else if (keys[key]) { if (!runAction(keys[key])) { return; } }
    else { return; }
    event.preventDefault();
  });
})();
