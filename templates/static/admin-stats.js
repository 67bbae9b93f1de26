/* One period's statistics tab: the counts and each question's rate, hardest first. Needs admin-core.js. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear, cell = A.cell, percent = A.percent;

  function tile(parent, label, value, note) {
    var box = element("div", "tile");
    box.appendChild(element("div", "tile-value", value));
    box.appendChild(element("div", "tile-label", label));
    if (note) box.appendChild(element("div", "tile-note", note));
    parent.appendChild(box);
  }

  function loadStats() {
    var period = A.current;
    $("stats-status").textContent = "正在统计……";
    A.call("GET", "api/admin/periods/" + encodeURIComponent(period.id) + "/stats").then(function (answer) {
      if (A.current !== period) return;
      if (answer.status !== 200 || !answer.body) {
        $("stats-status").textContent = A.messageOf(answer, "统计没有读取成功");
        return;
      }
      renderStats(answer.body);
    });
  }

  function renderStats(stats) {
    var tiles = $("stats-tiles");
    clear(tiles);
    tile(tiles, "报名", stats.registered);
    tile(tiles, "开始考试", stats.started);
    tile(tiles, "已交卷", stats.submitted);
    tile(tiles, "通过", stats.passed);
    tile(tiles, "通过率", stats.submitted ? percent(stats.pass_rate) : "—", "按交卷人数计算");
    var box = $("stats-questions");
    var body = box.querySelector("tbody");
    clear(body);
    if (!stats.questions.length) {
      $("stats-status").textContent = "本期尚未上传试卷，没有各题正确率。";
      box.hidden = true;
      return;
    }
    if (!stats.submitted) {
      $("stats-status").textContent = "还没有人交卷，各题正确率会在考生交卷后显示。";
      box.hidden = true;
      return;
    }
    $("stats-status").textContent = "";
    var order = [];
    for (var i = 0; i < stats.questions.length; i++) order.push({ question: stats.questions[i], index: i });
    // Hardest first; equal rates keep the paper's order.
    order.sort(function (a, b) {
      return (a.question.correct_rate - b.question.correct_rate) || (a.index - b.index);
    });
    for (var j = 0; j < order.length; j++) {
      var q = order[j].question;
      var row = element("tr", q.correct_rate < 0.5 ? "hard" : "");
      row.setAttribute("data-question", q.id);
      cell(row, "难度", j + 1, "rank");
      cell(row, "题号", q.id, "qid");
      cell(row, "题型", q.type === "multiple" ? "多选" : q.type === "single" ? "单选" : "—", "qtype");
      cell(row, "题目", q.text || "—", "qtext");
      var rate = cell(row, "正确率", "", "rate");
      var bar = element("span", "bar");
      var fill = element("span", "bar-fill");
      fill.style.width = percent(q.correct_rate);
      bar.appendChild(fill);
      rate.appendChild(bar);
      rate.appendChild(element("span", "rate-value", percent(q.correct_rate)));
      body.appendChild(row);
    }
    box.hidden = false;
  }

  $("stats-refresh").addEventListener("click", loadStats);

  A.tab("stats", {
    open: loadStats,
    reset: function () {
      clear($("stats-tiles"));
      clear($("stats-questions").querySelector("tbody"));
      $("stats-questions").hidden = true;
    }
  });
})();
