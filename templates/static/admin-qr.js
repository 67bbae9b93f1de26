/* The QR poster screen (#qr): the permanent entry code, to print or download. Needs admin-core.js. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$;

  var qrUrl = null;         // the signed link the poster shows (a plain URL WeChat can save)

  function showQr() {
    A.showView("qr");
    document.title = "报名二维码 · 工作人员控制台";
    if (qrUrl) return;
    $("qr-status").textContent = "正在生成二维码……";
    A.fileLink("api/admin/qr.svg").then(function (answer) {
      if (!answer.url) {
        $("qr-status").textContent = A.messageOf(answer, "二维码没有生成成功");
        return;
      }
      qrUrl = answer.url;
      var image = $("qr-image");
      image.onload = function () { $("qr-status").textContent = ""; };
      image.onerror = function () { $("qr-status").textContent = "二维码无法显示，请刷新页面后重试。"; };
      image.src = qrUrl;
      image.hidden = false;
    });
  }

  $("qr-print").addEventListener("click", function () { window.print(); });
  $("qr-png").addEventListener("click", function () {
    A.download("api/admin/qr.png", $("qr-error"));
  });
  $("qr-svg").addEventListener("click", function () {
    A.download("api/admin/qr.svg", $("qr-error"));
  });

  A.screen("qr", showQr);
  A.onSignOut(function () {
    qrUrl = null;
    $("qr-image").removeAttribute("src");
    $("qr-image").hidden = true;
  });
})();
