// A control marked data-autosubmit sends its form as soon as it changes. Without JavaScript the
// page shows a button instead (<noscript>); no inline handler, so the CSP needs none.
document.addEventListener("change", function (event) {
  var control = event.target;
  if (control instanceof Element && control.hasAttribute("data-autosubmit") && control.form) {
    control.form.submit();
  }
});
