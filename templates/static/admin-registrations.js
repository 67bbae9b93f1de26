/* One period's registrations tab: the full list, page by page. It holds personal data in full,
   so its tab's reset (on sign-out and when another period opens) wipes it. Needs admin-core.js. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear, cell = A.cell, instant = A.instant;

  var PAGE_SIZE = 50;
  var STATUS = { registered: "已报名", passed: "通过", failed: "未通过", absent: "缺考" };
  var cursor = null;        // the next page of the period's registrations

  function loadRegistrations(fresh) {
    var period = A.current;
    var table = $("registrations-table");
    var body = table.querySelector("tbody");
    var more = $("registrations-more");
    $("registrations-error").hidden = true;
    if (fresh) {
      clear(body);
      cursor = null;
      table.hidden = true;
      $("registrations-status").textContent = "正在读取名单……";
    }
    more.disabled = true;
    var path = "api/admin/periods/" + encodeURIComponent(period.id) + "/registrations?limit=" + PAGE_SIZE;
    if (cursor) path += "&cursor=" + encodeURIComponent(cursor);
    A.call("GET", path).then(function (answer) {
      more.disabled = false;
      if (A.current !== period) return;
      if (answer.status !== 200 || !answer.body) {
        $("registrations-error").textContent = A.messageOf(answer, "名单没有读取成功");
        $("registrations-error").hidden = false;
        if (fresh) $("registrations-status").textContent = "";
        return;
      }
      var list = answer.body.registrations;
      for (var i = 0; i < list.length; i++) body.appendChild(registrationRow(list[i]));
      cursor = answer.body.cursor;
      var shown = body.children.length;
      table.hidden = !shown;
      more.hidden = !cursor;
      $("registrations-status").textContent = !shown ? "本期还没有人报名。" :
        "已显示 " + shown + " 人" + (cursor ? "，还有更多。" : "，已全部显示。");
    });
  }

  function registrationRow(r) {
    var row = element("tr", "status-" + r.status);
    cell(row, "姓名", r.name, "name");
    cell(row, "身份证号", r.id_number, "mono");
    cell(row, "手机号", r.phone, "mono");
    cell(row, "邮箱", r.email, "email");
    cell(row, "状态", STATUS[r.status] || r.status, "status");
    cell(row, "成绩", r.score === null || r.score === undefined ? "—" : r.score);
    cell(row, "报名时间", instant(r.registered_at));
    cell(row, "交卷时间", instant(r.submitted_at));
    cell(row, "已导出", r.exported_at ? instant(r.exported_at) : "—");
    return row;
  }

  function reset() {
    clear($("registrations-table").querySelector("tbody"));
    $("registrations-table").hidden = true;
    $("registrations-more").hidden = true;
    cursor = null;
  }

  $("registrations-more").addEventListener("click", function () { loadRegistrations(false); });
  $("registrations-refresh").addEventListener("click", function () { loadRegistrations(true); });

  A.tab("registrations", { open: function () { loadRegistrations(true); }, reset: reset });
})();
