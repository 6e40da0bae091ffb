// wsf web page: the little the page does with script on top of htmx. Everything works
// without it. No peer text is ever handled here.
"use strict";
document.addEventListener("htmx:xhr:progress", function (ev) {
  var bar = document.getElementById("upload-progress");
  if (!bar || !ev.detail || !ev.detail.lengthComputable) {
    return;
  }
  var pct = Math.round((ev.detail.loaded / ev.detail.total) * 100);
  bar.value = pct;
  bar.textContent = pct + " %";
});
// A live row arrived: the "nothing yet" line goes.
document.addEventListener("htmx:sseMessage", function () {
  var empty = document.getElementById("empty");
  if (empty) {
    empty.remove();
  }
});
