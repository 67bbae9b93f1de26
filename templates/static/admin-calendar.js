/* The staff console's working-day calendar (#calendar/<year>): one year as a month grid, who
   describes it (staff, the library, nobody), the State Council's notice pasted to enter it, and
   the two lists of days to correct by hand. Every working-day rule reads what is saved here at
   once. Needs admin-core.js.

   The grid shows the lists being edited, so a click on a day shows at once; nothing counts
   until the lists are saved. */
(function () {
  "use strict";
  var A = window.HR && HR.admin;
  if (!A) return;
  var $ = A.$, element = A.element, clear = A.clear;

  var WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"];
  var SOURCES = {
    staff: "由工作人员录入，优先于程序自带的数据。",
    library: "来自程序自带的节假日数据（chinesecalendar）。如与国务院办公厅的通知不同，请粘贴通知或直接修改日期。",
    unknown: "尚未录入：系统还不知道这一年的节假日安排，考试日期或报名期在这一年的期次无法创建。" +
      "请粘贴国务院办公厅的通知。"
  };
  var SOURCE_LABELS = { staff: "工作人员录入", library: "程序自带数据", unknown: "尚未录入" };

  var shown = null;        // the year as the server last answered: {year, source, holidays, workdays}
  var noticeForm = $("notice-form");
  var daysForm = $("days-form");

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function iso(year, month, date) { return year + "-" + pad(month + 1) + "-" + pad(date); }

  function thisYear() {
    return parseInt((A.today || iso(new Date().getFullYear(), 0, 1)).slice(0, 4), 10);
  }

  /* The dates typed into a list, one a line (commas and spaces also separate). */
  function listed(textarea) {
    var words = textarea.value.split(/[\s,，、;；]+/);
    var found = {};
    for (var i = 0; i < words.length; i++) if (words[i]) found[words[i]] = true;
    return found;
  }

  function writeList(textarea, set) {
    var days = [];
    for (var day in set) if (set.hasOwnProperty(day)) days.push(day);
    days.sort();
    textarea.value = days.join("\n");
  }

  function sameList(set, days) {
    var count = 0;
    for (var day in set) if (set.hasOwnProperty(day)) count += 1;
    if (count !== days.length) return false;
    for (var i = 0; i < days.length; i++) if (!set[days[i]]) return false;
    return true;
  }

  /* ---- the year --------------------------------------------------------------------- */

  function showCalendar(parts) {
    A.showView("calendar");
    var year = parseInt(parts[1], 10);
    if (!(year >= 2000 && year <= 2100)) year = thisYear();
    document.title = year + " 年工作日日历 · 工作人员控制台";
    // The warnings sit above the screen: drawn before the year, so the year never moves
    // under a finger or a pointer once it is shown.
    loadYear(year, loadWarnings());
    return true;
  }

  function loadYear(year, warned) {
    $("calendar-year").value = String(year);
    $("calendar-error").hidden = true;
    $("calendar-status").textContent = "正在读取 " + year + " 年的日历……";
    Promise.all([A.call("GET", "api/admin/calendar/" + year), warned]).then(function (answers) {
      var answer = answers[0];
      if (String(year) !== $("calendar-year").value) return;  // another year was asked for since
      if (answer.status !== 200 || !answer.body) {
        $("calendar-status").textContent = "";
        $("calendar-error").textContent = A.messageOf(answer, "日历没有读取成功");
        $("calendar-error").hidden = false;
        $("calendar-body").hidden = true;
        return;
      }
      render(answer.body);
    });
  }

  function render(data) {
    shown = data;
    $("calendar-status").textContent = data.year + " 年：" + SOURCE_LABELS[data.source] + "。";
    $("calendar-heading").textContent = data.year + " 年";
    var source = $("calendar-source");
    source.textContent = SOURCES[data.source] || "";
    source.className = data.source === "unknown" ? "warning" : "muted";
    var years = noticeForm.querySelectorAll(".notice-year");
    for (var i = 0; i < years.length; i++) years[i].textContent = String(data.year);
    writeList($("calendar-holidays"), toSet(data.holidays));
    writeList($("calendar-workdays"), toSet(data.workdays));
    HR.clearErrors(noticeForm);
    HR.clearErrors(daysForm);
    $("calendar-body").hidden = false;
    drawMonths();
  }

  function toSet(days) {
    var set = {};
    for (var i = 0; i < days.length; i++) set[days[i]] = true;
    return set;
  }

  /* ---- the month grid --------------------------------------------------------------- */

  function drawMonths() {
    var year = shown.year;
    var holidays = listed($("calendar-holidays"));
    var workdays = listed($("calendar-workdays"));
    var months = $("calendar-months");
    clear(months);
    for (var month = 0; month < 12; month++) {
      var table = element("table", "month");
      table.appendChild(element("caption", "", (month + 1) + " 月"));
      var head = element("tr");
      for (var w = 0; w < 7; w++) {
        var th = element("th", w >= 5 ? "weekend" : "", WEEKDAYS[w]);
        th.setAttribute("scope", "col");
        th.setAttribute("abbr", "周" + WEEKDAYS[w]);
        head.appendChild(th);
      }
      var thead = element("thead");
      thead.appendChild(head);
      table.appendChild(thead);
      var body = element("tbody");
      var first = new Date(year, month, 1);
      var lead = (first.getDay() + 6) % 7;   // Monday first, as Chinese calendars are printed
      var length = new Date(year, month + 1, 0).getDate();
      var row = element("tr");
      for (var blank = 0; blank < lead; blank++) row.appendChild(element("td"));
      for (var date = 1; date <= length; date++) {
        var weekday = (lead + date - 1) % 7;
        row.appendChild(dayCell(year, month, date, weekday, holidays, workdays));
        if (weekday === 6) { body.appendChild(row); row = element("tr"); }
      }
      if (row.firstChild) body.appendChild(row);
      table.appendChild(body);
      months.appendChild(table);
    }
    var dirty = !sameList(holidays, shown.holidays) || !sameList(workdays, shown.workdays);
    $("calendar-status").textContent = shown.year + " 年：" + SOURCE_LABELS[shown.source] + "。" +
      (dirty ? "有尚未保存的修改，点击“保存日期”后生效。" : "");
  }

  function dayCell(year, month, date, weekday, holidays, workdays) {
    var day = iso(year, month, date);
    var weekend = weekday >= 5;
    var kind = holidays[day] ? "holiday" : workdays[day] ? "workday" : weekend ? "weekend" : "";
    var label = { holiday: "放假", workday: "调休上班", weekend: "周末", "": "工作日" }[kind];
    var td = element("td", kind);
    td.setAttribute("data-day", day);
    var button = element("button", "day", date);
    button.type = "button";
    button.setAttribute("aria-label", (month + 1) + "月" + date + "日 周" + WEEKDAYS[weekday] + " " + label);
    button.setAttribute("aria-pressed", kind === "holiday" || kind === "workday" ? "true" : "false");
    button.addEventListener("click", function () { toggle(day, weekend); });
    td.appendChild(button);
    return td;
  }

  /* A weekday toggles in the holidays, a weekend day in the workdays. */
  function toggle(day, weekend) {
    var textarea = weekend ? $("calendar-workdays") : $("calendar-holidays");
    var set = listed(textarea);
    if (set[day]) delete set[day]; else set[day] = true;
    writeList(textarea, set);
    drawMonths();
    var again = $("calendar-months").querySelector('[data-day="' + day + '"] button');
    if (again) again.focus();
  }

  $("calendar-holidays").addEventListener("change", drawMonths);
  $("calendar-workdays").addEventListener("change", drawMonths);

  /* ---- choosing a year -------------------------------------------------------------- */

  function goYear(year) { A.go("#calendar/" + year); }

  $("calendar-pick").addEventListener("submit", function (event) {
    event.preventDefault();
    var year = parseInt($("calendar-year").value, 10);
    if (!(year >= 2000 && year <= 2100)) {
      $("calendar-error").textContent = "年份应为 2000–2100 之间的四位数字。";
      $("calendar-error").hidden = false;
      $("calendar-year").setAttribute("aria-invalid", "true");
      $("calendar-year").focus();
      return;
    }
    $("calendar-year").removeAttribute("aria-invalid");
    goYear(year);
  });
  $("calendar-prev").addEventListener("click", function () { goYear((shown ? shown.year : thisYear()) - 1); });
  $("calendar-next").addEventListener("click", function () { goYear((shown ? shown.year : thisYear()) + 1); });

  /* ---- saving ----------------------------------------------------------------------- */

  function save(form, body, describe) {
    HR.clearErrors(form);
    $("calendar-flash").hidden = true;
    var button = form.querySelector('button[type="submit"]');
    var year = shown.year;
    button.disabled = true;
    A.call("PUT", "api/admin/calendar/" + year, body).then(function (answer) {
      button.disabled = false;
      if (answer.status === 200 && answer.body) {
        render(answer.body);
        loadWarnings();
        var flash = $("calendar-flash");
        flash.textContent = describe(answer.body);
        flash.hidden = false;
        return true;
      }
      // calendar_invalid names the line or date it could not read, at the field it came from.
      HR.showError(form, (answer.body && answer.body.error) || { message: A.messageOf(answer, "日历没有保存成功") });
      return false;
    }).then(function (saved) {
      if (saved && form === noticeForm) $("calendar-notice").value = "";
    });
  }

  function counted(data) {
    return "放假 " + data.holidays.length + " 天（工作日休息），调休上班 " + data.workdays.length + " 天";
  }

  noticeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var notice = $("calendar-notice").value;
    if (!notice.replace(/\s+/g, "")) {
      HR.showError(noticeForm, { message: "请粘贴国务院办公厅关于节假日安排的通知全文。", field: "notice" });
      return;
    }
    save(noticeForm, { notice: notice }, function (data) {
      return "已根据通知录入 " + data.year + " 年：" + counted(data) + "。请逐月核对下面的日历，如有出入可直接修改日期。";
    });
  });

  daysForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var holidays = [], workdays = [];
    var h = listed($("calendar-holidays")), w = listed($("calendar-workdays"));
    for (var a in h) if (h.hasOwnProperty(a)) holidays.push(a);
    for (var b in w) if (w.hasOwnProperty(b)) workdays.push(b);
    holidays.sort();
    workdays.sort();
    save(daysForm, { holidays: holidays, workdays: workdays }, function (data) {
      return "已保存 " + data.year + " 年的日期：" + counted(data) + "。";
    });
  });

  /* ---- other screens send staff here ------------------------------------------------ */

  /* Under an error that says a year's calendar is unknown (409 calendar_unknown), a link to
     enter that year here. */
  function linkUnknownYear(form, error) {
    if (!error || error.code !== "calendar_unknown") return;
    var found = /(\d{4})\s*年/.exec(error.message || "");
    var year = found ? found[1] : String(thisYear() + 1);
    var slot = (error.field && form.querySelector('[data-error-for="' + error.field + '"]')) ||
      form.querySelector('[data-error-for="_form"]');
    if (!slot) return;
    var link = element("a", "calendar-link", "前往“工作日日历”录入 " + year + " 年的节假日安排");
    link.href = "#calendar/" + year;
    slot.appendChild(document.createTextNode(" "));
    slot.appendChild(link);
  }

  /* The console's warnings (GET /api/admin/warnings): from 1 November, next year's calendar
     still unknown, each with a link to the year here; from the 4th working day after an exam,
     the passers of that period not yet entered into the city's system (the server counts them),
     with a link to its entry form. Shown above every screen. Resolves once they are drawn, so a
     screen can wait and draw itself after them: a list appearing above a table already shown
     pushes it down, and a tap meant for one of its buttons lands elsewhere. */
  function loadWarnings() {
    return A.call("GET", "api/admin/warnings").then(function (answer) {
      var list = $("admin-warnings");
      clear(list);
      var warnings = (answer.status === 200 && answer.body && answer.body.warnings) || [];
      for (var i = 0; i < warnings.length; i++) {
        var item = element("li", "", warnings[i].message);
        if (warnings[i].code === "calendar_unknown") {
          var link = element("a", "", "录入 " + warnings[i].year + " 年");
          link.href = "#calendar/" + warnings[i].year;
          item.appendChild(link);
        } else if (warnings[i].code === "entries_outstanding") {
          item.className = "entries-outstanding";
          var mark = element("a", "", "标记已录入");
          mark.href = "#entries/" + encodeURIComponent(warnings[i].period_id);
          item.appendChild(document.createTextNode(" "));
          item.appendChild(mark);
        }
        list.appendChild(item);
      }
      list.hidden = !warnings.length;
    });
  }

  A.loadWarnings = loadWarnings;
  A.linkUnknownYear = linkUnknownYear;
  A.screen("calendar", showCalendar);
  A.onSignOut(function () {
    shown = null;
    clear($("calendar-months"));
    $("calendar-body").hidden = true;
    $("calendar-flash").hidden = true;
    noticeForm.reset();
    daysForm.reset();
    clear($("admin-warnings"));
    $("admin-warnings").hidden = true;
  });
})();
