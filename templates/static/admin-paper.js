/* One period's paper tab: upload or replace the paper, download the template. Needs admin-core.js. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear;

  var paperForm = $("paper-form");

  function renderPaperState() {
    $("paper-state").textContent = A.current.has_paper ?
      "本期已上传试卷。上传新文件会替换原试卷（考试开始前均可替换）。" :
      "本期尚未上传试卷。考试开始前须上传，否则考生无法开始考试。";
    $("paper-submit").textContent = A.current.has_paper ? "替换试卷" : "上传试卷";
  }

  paperForm.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(paperForm);
    $("paper-result").hidden = true;
    var file = $("paper-file").files && $("paper-file").files[0];
    if (!file) { HR.showError(paperForm, { message: "请先选择试卷文件（.json）。", field: "paper" }); return; }
    var button = $("paper-submit");
    button.disabled = true;
    var period = A.current;
    var reader = new FileReader();
    reader.onerror = function () {
      button.disabled = false;
      HR.showError(paperForm, { message: "文件读取失败，请重新选择。", field: "paper" });
    };
    reader.onload = function () {
      var paper;
      try {
        paper = JSON.parse(String(reader.result).replace(/^\uFEFF/, ""));
      } catch (e) {
        button.disabled = false;
        HR.showError(paperForm, {
          message: "文件不是有效的 JSON，请用文本编辑器检查括号、引号和逗号（" + e.message + "）。",
          field: "paper"
        });
        return;
      }
      A.call("PUT", "api/admin/periods/" + encodeURIComponent(period.id) + "/paper", paper).then(function (answer) {
        button.disabled = false;
        if (answer.status === 200 && answer.body) {
          var stored = answer.body.paper;
          period.has_paper = true;
          paperForm.reset();
          var result = $("paper-result");
          clear(result);
          result.appendChild(element("strong", "", "试卷已上传。"));
          result.appendChild(element("p", "", "“" + (stored.title || file.name) + "”：共 " + stored.questions +
            " 题，总分 " + stored.total_points + " 分" +
            (stored.pass_mark !== undefined ? "，" + stored.pass_mark + " 分及格" : "") + "。"));
          result.hidden = false;
          if (A.current === period) { A.renderPeriodHead(); renderPaperState(); }
          return;
        }
        // paper_invalid names the first problem (its field is a path inside the file): shown at the file.
        HR.showError(paperForm, { message: A.messageOf(answer, "试卷没有上传成功"), field: "paper" });
      });
    };
    reader.readAsText(file, "utf-8");
  });

  $("paper-template").addEventListener("click", function () {
    A.download("api/admin/paper-template.json", "application/json", "试卷模板.json", $("paper-template-error"));
  });

  A.tab("paper", {
    open: renderPaperState,
    reset: function () {
      $("paper-result").hidden = true;
      HR.clearErrors(paperForm);
      paperForm.reset();
    }
  });
})();
