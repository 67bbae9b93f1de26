/* One period's export tab: send the passers now (new ones, or all again). Needs admin-core.js. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear, fact = A.fact;

  var exportForm = $("export-form");

  exportForm.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(exportForm);
    var result = $("export-result");
    result.hidden = true;
    var period = A.current;
    var button = exportForm.querySelector('button[type="submit"]');
    button.disabled = true;
    var body = $("export-full").checked ? { full: true } : {};
    A.call("POST", "api/admin/periods/" + encodeURIComponent(period.id) + "/export", body).then(function (answer) {
      button.disabled = false;
      if (A.current !== period) return;
      if (answer.status === 200 && answer.body && answer.body.export) {
        renderExport(answer.body.export);
        return;
      }
      HR.showError(exportForm, { message: A.messageOf(answer, "导出没有成功") });
    });
  });

  function renderExport(sent) {
    var result = $("export-result");
    clear(result);
    if (!sent.count) {
      result.className = "info";
      result.appendChild(element("strong", "", "没有新的通过人员需要发送。"));
      result.appendChild(element("p", "", "本期的通过人员都已导出过。需要再发一次时，勾选“重新发送本期全部通过人员”后再导出。"));
      result.hidden = false;
      return;
    }
    result.className = "success";
    result.appendChild(element("strong", "", "已导出 " + sent.count + " 名通过人员，CSV 和 Excel 文件已发送。"));
    var facts = element("dl", "facts wide");
    fact(facts, "收件人", sent.recipients && sent.recipients.length ? sent.recipients.join("、") : "—");
    fact(facts, "CSV 文件", sent.csv_key || "—");
    fact(facts, "Excel 文件", sent.xlsx_key || "—");
    result.appendChild(facts);
    result.appendChild(element("p", "hint", "两个文件也保存在存储桶（S3）中，以上为其路径。"));
    result.hidden = false;
  }

  function reset() {
    $("export-result").hidden = true;
    HR.clearErrors(exportForm);
    exportForm.reset();
  }

  A.tab("export", { reset: reset });
})();
