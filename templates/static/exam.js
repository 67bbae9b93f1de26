/* The exam on exam day: ID number -> details -> the paper -> submit -> the score.

   Nothing a candidate answers may be lost. Every change goes to localStorage
   at once (with the token, so a reload resumes without asking again), and to
   the server shortly after through the save queue (exam-save.js): changes wait
   in `pending` until a save of exactly that answer has been acknowledged.
   Submitting is safe to repeat: the server scores an attempt once and answers
   a repeat with the stored result.
   ES5 only (WeChat's older WebViews), no other origin. */
(function () {
  "use strict";

  var today = JSON.parse(document.getElementById("today-data").textContent);
  if (today.mode !== "exam" || !today.period) return;

  var STORE_KEY = "hr-exam:v1:" + today.period.id;
  var WARN_SECONDS = 300;
  // Read out to screen readers as the time left passes each of these (seconds -> words).
  var ANNOUNCE = [
    [600, "距离考试结束还有 10 分钟。"],
    [120, "距离考试结束还有 2 分钟，请尽快检查并交卷，时间到时将自动交卷。"]
  ];

  var $ = function (id) { return document.getElementById(id); };
  var screens = ["exam-entry", "exam-details", "exam-paper", "exam-review", "exam-result"];

  var state = load();
  var paper = null;          // {title, pass_mark, questions: [...]}
  var index = {};            // question id -> position
  var deadline = null;       // Date.now() value at which the window ends
  var tick = null;
  var lastLeft = null;       // seconds left at the previous tick, to see a threshold passed
  var autoSubmitted = false;
  var submitting = false;
  var started = false;       // false until the first screen is shown

  // --- storage --------------------------------------------------------------

  function blank() {
    return { token: null, expires_at: null, candidate: null, details: null,
             answers: {}, pending: {}, current: 0, paper: null, result: null };
  }

  function load() {
    try {
      var raw = window.localStorage.getItem(STORE_KEY);
      var found = raw ? JSON.parse(raw) : null;
      if (found && typeof found === "object") {
        var fresh = blank();
        for (var key in fresh) {
          if (fresh.hasOwnProperty(key) && found[key] !== undefined) fresh[key] = found[key];
        }
        return fresh;
      }
    } catch (e) { /* storage disabled or corrupt: start clean */ }
    return blank();
  }

  function persist() {
    try { window.localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* full or private mode */ }
  }

  function reset() {
    state = blank();
    paper = null;
    try { window.localStorage.removeItem(STORE_KEY); } catch (e) { /* ignore */ }
  }

  function tokenValid() {
    if (!state.token) return false;
    var expires = Date.parse(state.expires_at || "");
    return isNaN(expires) || expires > Date.now();
  }

  // --- screens --------------------------------------------------------------

  function show(id) {
    for (var i = 0; i < screens.length; i++) $(screens[i]).hidden = screens[i] !== id;
    var answering = id === "exam-paper" || id === "exam-review";
    $("exam-intro").hidden = answering;
    $("exam-bar").hidden = !answering;
    if (!answering) $("exam-time-warning").hidden = true;
    if (window.scrollTo) window.scrollTo(0, 0);
    // Each step's heading takes the focus (not at the page's first paint: the reader starts at the top).
    if (started && id) HR.focusHeading($(id));
  }

  function notice(message, warn) {
    var box = $("exam-notice");
    box.textContent = message || "";
    box.hidden = !message;
    box.className = warn ? "notice warn" : "notice";
  }

  function bindCandidate() {
    var slots = document.querySelectorAll("#exam [data-bind]");
    for (var i = 0; i < slots.length; i++) {
      var name = slots[i].getAttribute("data-bind");
      slots[i].textContent = (state.candidate && state.candidate[name]) || "";
    }
  }

  function fillDetails(form) {
    var details = state.details || {};
    form.elements.name.value = details.name || (state.candidate && state.candidate.name) || "";
    form.elements.phone.value = details.phone || "";
    form.elements.email.value = details.email || "";
  }

  function readDetails(form) {
    return {
      name: HR.normalise.name(form.elements.name.value),
      phone: HR.normalise.phone(form.elements.phone.value),
      email: HR.normalise.email(form.elements.email.value)
    };
  }

  /* The server checks everything again; this only spares a round trip. */
  function detailsProblem(details) {
    if (!details.name) return { field: "name", message: "请填写姓名。" };
    if (!/^1\d{10}$/.test(details.phone)) return { field: "phone", message: "请填写 11 位中国大陆手机号码（以 1 开头）。" };
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(details.email)) {
      return { field: "email", message: "电子邮箱格式不正确，请核对（例如 name@example.com）。" };
    }
    return null;
  }

  // --- entry ----------------------------------------------------------------

  function onEntry(event) {
    event.preventDefault();
    var form = $("exam-entry");
    HR.clearErrors(form);
    var id = HR.normalise.idNumber(form.elements.id_number.value);
    if (!id) { HR.showError(form, { field: "id_number", message: "请填写 18 位居民身份证号码。" }); return; }
    var name = HR.normalise.name(form.elements.name.value);
    if (!name) { HR.showError(form, { field: "name", message: "请填写报名时的姓名。" }); return; }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    HR.api("POST", "api/exam/sessions", { id_number: id, name: name }).then(function (response) {
      button.disabled = false;
      var body = response.body || {};
      if (response.status === 201) {
        if (state.candidate && state.candidate.id_number_masked !== body.candidate.id_number_masked) reset();
        state.token = body.token;
        state.expires_at = body.expires_at;
        state.candidate = body.candidate;
        persist();
        form.elements.id_number.value = "";
        form.elements.name.value = "";
        startDetails();
        return;
      }
      if (alreadySubmitted(response)) return;
      if (response.status === 0) {
        HR.showError(form, { message: "网络连接失败，请检查网络后再点「下一步」。" });
        return;
      }
      HR.showError(form, body.error);
    });
  }

  function alreadySubmitted(response) {
    var body = response.body;
    if (response.status === 409 && body && body.error && body.error.code === "already_submitted" && body.result) {
      showResult(body.result);
      return true;
    }
    return false;
  }

  function startDetails() {
    notice("");
    bindCandidate();
    if (state.details) { openPaper(); return; }
    var form = $("exam-details");
    HR.clearErrors(form);
    fillDetails(form);
    show("exam-details");
  }

  // Keep the name, phone and e-mail confirmed in `form` with the attempt; false (with the
  // error shown on the form) when they are not valid.
  function keepDetails(form) {
    HR.clearErrors(form);
    var details = readDetails(form);
    var problem = detailsProblem(details);
    if (problem) { HR.showError(form, problem); return false; }
    state.details = details;
    persist();
    return true;
  }

  function onDetails(event) {
    event.preventDefault();
    if (keepDetails($("exam-details"))) openPaper();
  }

  // --- the paper ------------------------------------------------------------

  function openPaper() {
    if (state.paper) {
      usePaper(state.paper, {});
      show("exam-paper");
    } else {
      notice("正在加载试卷…");
    }
    HR.api("GET", "api/exam/paper", undefined, state.token).then(function (response) {
      var body = response.body || {};
      if (response.status === 200) {
        notice("");
        var saved = body.answers || {};
        state.paper = { title: body.title, pass_mark: body.pass_mark, questions: body.questions };
        usePaper(state.paper, saved);
        startCountdown(body.seconds_left);
        persist();
        show("exam-paper");
        saves.flush();
        return;
      }
      if (alreadySubmitted(response)) return;
      if (response.status === 401) { tokenLost(body.error); return; }
      if (response.status === 409 && body.error && body.error.code === "paper_not_ready") {
        notice(body.error.message, true);
        setTimeout(openPaper, 15000);
        return;
      }
      if (response.status === 409) {
        notice(body.error ? body.error.message : "现在不是考试时间。", true);
        show(null);
        return;
      }
      // Offline or a passing failure: keep working from the stored paper, try again soon.
      if (state.paper) {
        setSaveState("offline");
      } else {
        notice("网络不畅，试卷暂时无法加载，正在重试…", true);
      }
      setTimeout(openPaper, 5000);
    });
  }

  function usePaper(source, saved) {
    paper = source;
    index = {};
    for (var i = 0; i < paper.questions.length; i++) index[paper.questions[i].id] = i;
    // Saved on the server and not changed here since: take the server's.
    for (var id in saved) {
      if (saved.hasOwnProperty(id) && index.hasOwnProperty(id) && !state.pending[id]) state.answers[id] = saved[id];
    }
    if (!(state.current >= 0 && state.current < paper.questions.length)) state.current = 0;
    buildNav();
    render();
  }

  function chosen(id) {
    var value = state.answers[id];
    return value && value.length ? value : [];
  }

  function answeredCount() {
    var count = 0;
    for (var i = 0; i < paper.questions.length; i++) if (chosen(paper.questions[i].id).length) count++;
    return count;
  }

  var POSITION_LETTERS = "ABCDEFGH";

  // The option keys in this attempt's order (the server's `order`); the paper's
  // own keys are what is saved and scored.
  function displayOrder(question) {
    var keys = [];
    var order = question.order || [];
    for (var i = 0; i < order.length; i++) {
      if (question.options.hasOwnProperty(order[i]) && keys.indexOf(order[i]) < 0) keys.push(order[i]);
    }
    for (var key in question.options) {
      if (question.options.hasOwnProperty(key) && keys.indexOf(key) < 0) keys.push(key);
    }
    return keys;
  }

  function render() {
    var question = paper.questions[state.current];
    var kind = question.type === "multiple" ? "多选题（须全部选对）" : "单选题";
    $("exam-q-meta").textContent = "第 " + (state.current + 1) + " 题 / 共 " + paper.questions.length +
      " 题 · " + kind + " · " + question.points + " 分";
    $("exam-q-text").textContent = question.text;
    var box = $("exam-q-options");
    while (box.firstChild) box.removeChild(box.firstChild);
    var picked = chosen(question.id);
    var type = question.type === "multiple" ? "checkbox" : "radio";
    var keys = displayOrder(question);
    for (var position = 0; position < keys.length; position++) {
      var key = keys[position];
      var label = document.createElement("label");
      label.className = "option";
      var input = document.createElement("input");
      input.type = type;
      input.name = "q-" + question.id;
      input.value = key;
      input.checked = picked.indexOf(key) >= 0;
      var text = document.createElement("span");
      // Letters follow the position on this phone, not the paper's key: a screenshot's
      // "B" names a different option on every other candidate's phone.
      text.textContent = POSITION_LETTERS.charAt(position) + ". " + question.options[key];
      label.appendChild(input);
      label.appendChild(text);
      box.appendChild(label);
    }
    var prev = document.querySelector('#exam-paper [data-action="prev"]');
    var next = document.querySelector('#exam-paper [data-action="next"]');
    prev.disabled = state.current === 0;
    next.textContent = state.current === paper.questions.length - 1 ? "检查并交卷" : "下一题";
    updateNav();
  }

  function onChoice(event) {
    var target = event.target;
    if (!target || target.tagName !== "INPUT") return;
    var question = paper.questions[state.current];
    var inputs = $("exam-q-options").getElementsByTagName("input");
    var picked = [];
    for (var i = 0; i < inputs.length; i++) if (inputs[i].checked) picked.push(inputs[i].value);
    picked.sort();
    state.answers[question.id] = picked;
    saves.changed(question.id);
    persist();
    updateNav();
  }

  function go(position) {
    if (position < 0 || position >= paper.questions.length) return;
    state.current = position;
    persist();
    render();
    if (window.scrollTo) window.scrollTo(0, 0);
  }

  function buildNav() {
    var nav = $("exam-nav");
    while (nav.firstChild) nav.removeChild(nav.firstChild);
    for (var i = 0; i < paper.questions.length; i++) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = String(i + 1);
      button.setAttribute("data-goto", String(i));
      item.appendChild(button);
      nav.appendChild(item);
    }
  }

  function updateNav() {
    var buttons = $("exam-nav").getElementsByTagName("button");
    for (var i = 0; i < buttons.length; i++) {
      var id = paper.questions[i].id;
      var classes = [];
      if (chosen(id).length) classes.push("answered");
      if (i === state.current) classes.push("current");
      buttons[i].className = classes.join(" ");
      buttons[i].setAttribute("aria-label", "第 " + (i + 1) + " 题" + (chosen(id).length ? "，已答" : "，未答"));
    }
    $("exam-progress").textContent = answeredCount() + "/" + paper.questions.length;
  }

  function onNav(event) {
    var target = event.target;
    var position = target && target.getAttribute ? target.getAttribute("data-goto") : null;
    if (position === null) return;
    event.preventDefault();
    show("exam-paper");
    go(parseInt(position, 10));
  }

  // --- saving ---------------------------------------------------------------

  function setSaveState(kind) {
    var labels = {
      saving: "保存中…",
      saved: "已保存",
      offline: "网络不畅，答案已存在本机，恢复后自动上传",
      closed: "考试已结束"
    };
    var slot = $("exam-save-state");
    slot.textContent = labels[kind] || "";
    slot.className = "save-state " + kind;
  }

  var saves = HR.saveQueue({
    answers: function () { return state.answers; },
    pending: function () { return state.pending; },
    ready: function () { return !!state.token && !state.result && !submitting; },
    send: function (answers) { return HR.api("PUT", "api/exam/answers", { answers: answers }, state.token); },
    acknowledged: persist,
    refused: function (response) {
      var body = response.body || {};
      var code = body.error && body.error.code;
      if (alreadySubmitted(response)) return true;
      if (response.status === 401) { tokenLost(body.error); return true; }
      if (response.status === 409 && code === "not_exam_time") { setSaveState("closed"); return true; }
      if (response.status === 422) {
        // The paper changed under us (it cannot once the exam runs): reload it.
        state.pending = {};
        state.paper = null;
        persist();
        openPaper();
        return true;
      }
      return false;
    },
    status: function (kind) { if (paper || kind !== "saved") setSaveState(kind); }
  });

  function tokenLost(error) {
    state.token = null;
    persist();
    show("exam-entry");
    notice((error && error.message) || "考试凭证已失效，请重新输入身份证号进入考试。您的答案已保存在本机，进入后会自动恢复。", true);
  }

  // --- countdown ------------------------------------------------------------

  function startCountdown(secondsLeft) {
    if (typeof secondsLeft !== "number") return;
    deadline = Date.now() + secondsLeft * 1000;
    if (tick) clearInterval(tick);
    tick = setInterval(updateCountdown, 1000);
    updateCountdown();
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function updateCountdown() {
    if (deadline === null) return;
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    var text = (hours ? hours + ":" + pad(minutes) : pad(minutes)) + ":" + pad(left % 60);
    $("exam-countdown").textContent = text;
    announceTime(left);
    var warning = $("exam-time-warning");
    if (left === 0) {
      warning.textContent = "考试时间已到，正在为您交卷。";
      warning.hidden = false;
      clearInterval(tick);
      if (!autoSubmitted && !state.result) { autoSubmitted = true; submitExam(true); }
    } else if (left <= WARN_SECONDS) {
      warning.textContent = "距离考试结束不足 5 分钟，请尽快检查并交卷。时间到时将自动交卷。";
      warning.hidden = false;
    } else {
      warning.hidden = true;
    }
  }

  // Says the time left once as it passes 10 and 2 minutes; a page opened (or reloaded)
  // with less left than a threshold says the next one only.
  function announceTime(left) {
    var previous = lastLeft;
    lastLeft = left;
    if (previous === null) return;
    for (var i = 0; i < ANNOUNCE.length; i++) {
      if (previous > ANNOUNCE[i][0] && left <= ANNOUNCE[i][0]) $("exam-time-announce").textContent = ANNOUNCE[i][1];
    }
  }

  // --- review and submit ----------------------------------------------------

  function openReview() {
    var missing = [];
    for (var i = 0; i < paper.questions.length; i++) if (!chosen(paper.questions[i].id).length) missing.push(i);
    var list = $("exam-unanswered");
    while (list.firstChild) list.removeChild(list.firstChild);
    for (var j = 0; j < missing.length; j++) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = String(missing[j] + 1);
      button.setAttribute("data-goto", String(missing[j]));
      item.appendChild(button);
      list.appendChild(item);
    }
    $("exam-unanswered-summary").textContent = missing.length ?
      "还有 " + missing.length + " 道题未作答（点题号返回作答）。未作答的题不得分，确定要交卷吗？" :
      "全部 " + paper.questions.length + " 道题均已作答。";
    var form = $("exam-review");
    HR.clearErrors(form);
    fillDetails(form);
    show("exam-review");
  }

  function onSubmit(event) {
    event.preventDefault();
    submitExam(false);
  }

  function submitExam(automatic) {
    if (submitting || state.result) return;
    var form = $("exam-review");
    if (!automatic && !keepDetails(form)) return;
    submitting = true;
    var button = $("exam-submit");
    button.disabled = true;
    button.textContent = "正在交卷…";
    var body = {
      name: state.details.name, phone: state.details.phone, email: state.details.email,
      answers: state.answers
    };
    HR.api("POST", "api/exam/submit", body, state.token).then(function (response) {
      submitting = false;
      button.disabled = false;
      button.textContent = "确认交卷";
      var reply = response.body || {};
      if (response.status === 200) { showResult(reply.result); return; }
      if (alreadySubmitted(response)) return;
      if (response.status === 401) { tokenLost(reply.error); return; }
      if (response.status === 0 || response.status >= 500) {
        show("exam-review");
        HR.showError(form, { message: "网络不畅，交卷没有完成。您的答案都已保存在本机，请检查网络后再点「确认交卷」；重复提交是安全的。" });
        return;
      }
      show("exam-review");
      HR.showError(form, reply.error);
    });
  }

  function showResult(result) {
    saves.stop();
    if (tick) clearInterval(tick);
    // Keep only the result on this phone: no token, details or answers.
    reset();
    state.result = result;
    persist();
    $("exam-score").textContent = String(result.score);
    $("exam-pass-mark").textContent = String(result.pass_mark);
    $("exam-submitted-at").textContent = HR.cnDateTime(result.submitted_at);
    var verdict = $("exam-verdict");
    if (result.passed) {
      verdict.textContent = "恭喜您，考试通过！";
      verdict.className = "verdict passed";
      $("exam-next").textContent = "您的信息将在考试后 5 个工作日内由协会录入北京市人力资源市场管理信息系统，无需再做其他操作。成绩通知也会发送到您的邮箱。";
    } else {
      verdict.textContent = "很遗憾，本次考试未通过。";
      verdict.className = "verdict failed";
      $("exam-next").textContent = "请继续学习课程内容。下一期报名将于本次考试后的第一个工作日开放，届时请扫描同一个二维码报名，参加下一期考试。";
    }
    HR.showFeedback($("exam-feedback"), result.feedback);
    notice("");
    show("exam-result");
  }

  function leave() {
    if (!state.result && saves.pendingIds().length &&
        !window.confirm("还有答案未上传到服务器，退出后将丢失。确定退出吗？")) return;
    reset();
    notice("");
    show("exam-entry");
  }

  // --- wiring ---------------------------------------------------------------

  $("exam-entry").addEventListener("submit", onEntry);
  $("exam-details").addEventListener("submit", onDetails);
  $("exam-review").addEventListener("submit", onSubmit);
  $("exam-q-options").addEventListener("change", onChoice);
  $("exam-nav").addEventListener("click", onNav);
  $("exam-unanswered").addEventListener("click", onNav);
  $("exam").addEventListener("click", function (event) {
    var action = event.target && event.target.getAttribute && event.target.getAttribute("data-action");
    if (!action) return;
    if (action === "prev") go(state.current - 1);
    else if (action === "next") {
      if (state.current === paper.questions.length - 1) openReview(); else go(state.current + 1);
    } else if (action === "review") openReview();
    else if (action === "back") { show("exam-paper"); render(); }
    else if (action === "leave") leave();
  });
  window.addEventListener("online", saves.online);
  window.addEventListener("pagehide", persist);

  if (state.result) {
    showResult(state.result);
  } else if (tokenValid()) {
    startDetails();
  } else {
    if (state.token) { state.token = null; persist(); }
    show("exam-entry");
  }
  started = true;

  // Offline: the service worker (sw.js) keeps this page and its scripts, so a reload without a
  // connection still opens the paper and the answers kept on this phone.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(HR.root + "sw.js", { scope: HR.root }).catch(function () {});
  }
  if (navigator.onLine === false && !state.result) {
    notice("现在没有网络。已作答的题目都保存在本机，可以继续作答，网络恢复后自动上传；交卷需要网络。如页面打不开，请连上网络后重新打开本页。", true);
  }
})();
