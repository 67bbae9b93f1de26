/* The QR poster screen (#qr): the permanent entry code, to print or download. Needs admin-core.js. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$;

  var qrUrl = null;         // the blob: URL the poster shows

  function showQr() {
    A.showView("qr");
    document.title = "报名二维码 · 工作人员控制台";
    if (qrUrl) return;
    $("qr-status").textContent = "正在生成二维码……";
    A.fetchBlob("api/admin/qr.svg", "image/svg+xml").then(function (answer) {
      if (!answer.blob) {
        $("qr-status").textContent = A.messageOf(answer, "二维码没有生成成功");
        return;
      }
      qrUrl = URL.createObjectURL(answer.blob);
      var image = $("qr-image");
      image.onload = function () { $("qr-status").textContent = ""; };
      image.onerror = function () { $("qr-status").textContent = "二维码无法显示，请刷新页面后重试。"; };
      image.src = qrUrl;
      image.hidden = false;
    });
  }

  $("qr-print").addEventListener("click", function () { window.print(); });
  $("qr-png").addEventListener("click", function () {
    A.download("api/admin/qr.png", "image/png", "报名考试二维码.png", $("qr-error"));
  });
  $("qr-svg").addEventListener("click", function () {
    A.download("api/admin/qr.svg", "image/svg+xml", "报名考试二维码.svg", $("qr-error"));
  });

  A.screen("qr", showQr);
  A.onSignOut(function () {
    if (qrUrl) { URL.revokeObjectURL(qrUrl); qrUrl = null; }
    $("qr-image").removeAttribute("src");
    $("qr-image").hidden = true;
  });
})();
