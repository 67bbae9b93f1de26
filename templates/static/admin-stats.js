/* One period's statistics tab: the counts, each question's rate, hardest first, and the item
   analysis (operators). Also gives the bank screen the analysis's wording (A.itemAnalysis).
   Needs admin-core.js. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear, cell = A.cell, percent = A.percent;
  var FLAGS = { negative_discrimination: "区分度为负（请检查答案）", too_easy: "过易", too_hard: "过难" };

  function share(value) { return value === null || value === undefined ? "—" : Math.round(value * 100) + "%"; }
  function number(value) { return value === null || value === undefined ? "—" : value.toFixed(2); }

  /* "A 25%，B 50%，…，未答 0%": the share choosing each option, and leaving it blank. */
  function shares(stats) {
    var shown = [];
    for (var k = 0; k < stats.option_keys.length; k++) {
      shown.push(stats.option_keys[k] + " " + share(stats.options[stats.option_keys[k]]));
    }
    shown.push("未答 " + share(stats.blank));
    return shown.join("，");
  }

  function flags(stats) {
    var shown = [];
    for (var f = 0; f < stats.flags.length; f++) shown.push(FLAGS[stats.flags[f]] || stats.flags[f]);
    return shown.join("；") || "—";
  }

  A.itemAnalysis = { share: share, number: number, shares: shares, flags: flags };

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
    loadAnalysis(period);
  }

  /* Facility, discrimination and option shares per question, a fixed paper's as a drawn one's.
     Operators only: a viewer's 403 just leaves the table hidden. */
  function loadAnalysis(period) {
    var box = $("stats-analysis");
    A.call("GET", "api/admin/periods/" + encodeURIComponent(period.id) + "/analysis").then(function (answer) {
      if (A.current !== period) return;
      var body = box.querySelector("tbody");
      clear(body);
      var questions = answer.status === 200 && answer.body ? answer.body.questions : [];
      for (var i = 0; i < questions.length; i++) {
        var q = questions[i];
        var row = element("tr", q.flags.length ? "flagged" : "");
        row.setAttribute("data-question", q.id);
        cell(row, "题号", q.version ? q.id + " v" + q.version : q.id, "qid");
        cell(row, "作答人数", q.n);
        cell(row, "正确率", share(q.facility));
        cell(row, "区分度（高低分组）", number(q.upper_lower), "upper-lower");
        cell(row, "点二列相关", number(q.point_biserial), "point-biserial");
        cell(row, "各选项选择比例", shares(q), "options");
        cell(row, "提示", flags(q), "flags");
        row.title = q.text;
        body.appendChild(row);
      }
      box.hidden = !questions.length;
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
      clear($("stats-analysis").querySelector("tbody"));
      $("stats-analysis").hidden = true;
    }
  });
})();
