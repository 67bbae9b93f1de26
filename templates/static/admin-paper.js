/* One period's paper tab: upload or replace the paper (an Excel workbook from the template, or
   JSON), download the templates, and preview the paper as candidates will see it with its answer
   key, before the exam. Needs admin-core.js. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear;

  var XLSX = A.XLSX;
  var POSITION_LETTERS = "ABCDEFGH";
  var paperForm = $("paper-form");
  var previewed = null;   // the period whose preview is drawn

  function renderPaperState() {
    $("paper-state").textContent = A.current.has_paper ?
      "本期已上传试卷。上传新文件会替换原试卷（考试开始前均可替换）。" :
      "本期尚未上传试卷。考试开始前须上传，否则考生无法开始考试。";
    $("paper-submit").textContent = A.current.has_paper ? "替换试卷" : "上传试卷";
    $("paper-preview-box").hidden = !A.current.has_paper;
    if (A.current.has_paper && previewed !== A.current.id) loadPreview();
  }

  function isWorkbook(file) {
    return /\.xlsx$/i.test(file.name) || file.type === XLSX;
  }

  /* The request for the chosen file, or null (the problem already shown at the field). */
  function uploadOf(file, period) {
    var path = "api/admin/periods/" + encodeURIComponent(period.id) + "/paper";
    if (isWorkbook(file)) {
      return A.readFile(file).then(function (bytes) { return A.send("PUT", path, bytes, XLSX); });
    }
    if (!/\.json$/i.test(file.name) && file.type !== "application/json") {
      HR.showError(paperForm, { message: "请选择 Excel 工作簿（.xlsx）或 JSON 文件（.json）。" +
        "旧版 Excel（.xls）请先另存为 .xlsx。", field: "paper" });
      return null;
    }
    return A.readFile(file, true).then(function (text) {
      var paper;
      try {
        paper = JSON.parse(String(text).replace(/^\uFEFF/, ""));
      } catch (e) {
        HR.showError(paperForm, {
          message: "文件不是有效的 JSON，请用文本编辑器检查括号、引号和逗号（" + e.message + "）。",
          field: "paper"
        });
        return null;
      }
      return A.call("PUT", path, paper);
    });
  }

  paperForm.addEventListener("submit", function (event) {
    event.preventDefault();
    HR.clearErrors(paperForm);
    $("paper-result").hidden = true;
    var file = $("paper-file").files && $("paper-file").files[0];
    if (!file) {
      HR.showError(paperForm, { message: "请先选择试卷文件（.xlsx 或 .json）。", field: "paper" });
      return;
    }
    var button = $("paper-submit");
    var period = A.current;
    var request = uploadOf(file, period);
    if (!request) return;
    button.disabled = true;
    request.then(function (answer) {
      button.disabled = false;
      if (!answer) return;
      if (answer.status === 200 && answer.body) {
        var stored = answer.body.paper;
        period.has_paper = true;
        paperForm.reset();
        var result = $("paper-result");
        clear(result);
        result.appendChild(element("strong", "", "试卷已上传。"));
        result.appendChild(element("p", "", "“" + (stored.title || file.name) + "”：共 " + stored.questions +
          " 题，总分 " + stored.total_points + " 分" +
          (stored.pass_mark !== undefined ? "，" + stored.pass_mark + " 分及格" : "") + "。请核对下面的预览。"));
        result.hidden = false;
        previewed = null;
        if (A.current === period) { A.renderPeriodHead(); renderPaperState(); }
        return;
      }
      // paper_invalid names the first problem (in a workbook: sheet, row and column): shown at the file.
      HR.showError(paperForm, { message: A.messageOf(answer, "试卷没有上传成功"), field: "paper" });
    }, function () {
      button.disabled = false;
      HR.showError(paperForm, { message: "文件读取失败，请重新选择。", field: "paper" });
    });
  });

  /* ---- the preview ------------------------------------------------------------------ */

  function loadPreview() {
    var period = A.current;
    previewed = period.id;
    clear($("paper-preview"));
    $("paper-preview-error").hidden = true;
    $("paper-preview-status").textContent = "正在读取试卷预览……";
    A.call("GET", "api/admin/periods/" + encodeURIComponent(period.id) + "/paper/preview").then(function (answer) {
      if (A.current !== period) return;
      $("paper-preview-status").textContent = "";
      if (answer.status !== 200 || !answer.body) {
        previewed = null;
        $("paper-preview-error").textContent = A.messageOf(answer, "试卷预览没有读取成功");
        $("paper-preview-error").hidden = false;
        return;
      }
      drawPreview(answer.body);
    });
  }

  function kindOf(question) {
    return question.type === "multiple" ? "多选题（须全部选对）" : "单选题";
  }

  function drawPreview(preview) {
    var box = $("paper-preview");
    clear(box);
    var paper = preview.paper;
    box.appendChild(element("h3", "", paper.title));
    box.appendChild(element("p", "muted", "共 " + preview.questions + " 题，总分 " + preview.total_points +
      " 分，" + paper.pass_mark + " 分及格。"));

    box.appendChild(element("h3", "", "答案一览"));
    var key = element("ol", "answer-key");
    key.setAttribute("aria-label", "答案一览");
    for (var k = 0; k < paper.questions.length; k++) {
      var q = paper.questions[k];
      key.appendChild(element("li", "", (k + 1) + ". " + (preview.answers[q.id] || []).join("")));
    }
    box.appendChild(key);

    for (var i = 0; i < paper.questions.length; i++) box.appendChild(questionOf(paper.questions[i], i, paper, preview));
  }

  /* A question as the exam page draws it (the options in the paper's own order here). */
  function questionOf(question, index, paper, preview) {
    var item = element("section", "question preview-question");
    item.setAttribute("data-question", question.id);
    item.setAttribute("aria-label", "第 " + (index + 1) + " 题");
    item.appendChild(element("p", "q-meta", "第 " + (index + 1) + " 题 / 共 " + paper.questions.length +
      " 题 · " + kindOf(question) + " · " + question.points + " 分 · 题号 " + question.id));
    item.appendChild(element("p", "q-text", question.text));
    var options = element("div", "options");
    var order = question.order || Object.keys(question.options);
    var answer = preview.answers[question.id] || [];
    for (var p = 0; p < order.length; p++) {
      var optionKey = order[p];
      var label = element("label", "option");
      var input = element("input");
      input.type = question.type === "multiple" ? "checkbox" : "radio";
      input.name = "preview-" + question.id;
      input.disabled = true;
      label.appendChild(input);
      label.appendChild(element("span", "", POSITION_LETTERS.charAt(p) + ". " + question.options[optionKey]));
      options.appendChild(label);
    }
    item.appendChild(options);
    item.appendChild(element("p", "preview-answer", "答案：" + answer.join("")));
    return item;
  }

  $("paper-preview-load").addEventListener("click", loadPreview);

  $("paper-template").addEventListener("click", function () {
    A.download("api/admin/paper-template.json", $("paper-template-error"));
  });

  $("paper-template-xlsx").addEventListener("click", function () {
    A.download("api/admin/paper-template.xlsx", $("paper-template-xlsx-error"));
  });

  function reset() {
    previewed = null;
    clear($("paper-preview"));
    $("paper-preview-box").hidden = true;
    $("paper-result").hidden = true;
    HR.clearErrors(paperForm);
    paperForm.reset();
  }

  A.tab("paper", { open: renderPaperState, reset: reset });
})();
