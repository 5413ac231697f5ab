// The branding preview follows the form as it is typed (the page works without this: the
// Preview button draws the same on the server).
(function () {
  "use strict";
  var form = document.getElementById("branding-form");
  var box = document.getElementById("brand-preview");
  if (!form || !box) return;
  var hex = /^#[0-9a-fA-F]{6}$/;
  function readableOn(colour) {
    var rgb = [1, 3, 5].map(function (i) { return parseInt(colour.substr(i, 2), 16) / 255; });
    var lin = rgb.map(function (c) { return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); });
    var l = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }
  var stacks = JSON.parse(box.getAttribute("data-fonts") || "{}");
  function draw() {
    var p = form.elements.primary_colour.value, a = form.elements.accent_colour.value;
    if (hex.test(p)) { box.style.setProperty("--p", p); box.style.setProperty("--on-p", readableOn(p)); }
    if (hex.test(a)) { box.style.setProperty("--a", a); box.style.setProperty("--on-a", readableOn(a)); }
    var f = stacks[form.elements.font.value];
    if (f) box.style.setProperty("--f", f);
  }
  form.addEventListener("input", draw);
  form.addEventListener("change", draw);
  // What was typed (or restored by the browser) before this deferred script ran shows too.
  draw();
})();
