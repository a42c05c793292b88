// The QR code's link carries the farmer's token after "#": browsers never send that part to a server, so
// it is in no access log, proxy log or Referer header. This hands it over once, by POST, for a session
// (participation.views.farmer_home); the answer keeps the "#…" so a bookmark opens the page again later.
(function () {
  "use strict";
  var form = document.querySelector("form[data-farmer-exchange]");
  var token = "";
  try {
    token = decodeURIComponent(window.location.hash.slice(1));
  } catch (e) {
    token = "";
  }
  if (!form || !token) return;
  var current = form.getAttribute("data-farmer-link");
  if (current && token.split(".")[0] === current) return; // this link's page is already open
  form.elements.token.value = token;
  form.action = form.action.split("#")[0] + window.location.hash;
  form.submit();
})();
