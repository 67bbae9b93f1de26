/* The exam's save queue: answers changed on this phone reach the server, none lost, none stale.

   A change marks its question pending; a save of exactly the pending answers goes out shortly
   after, one save at a time, so an older answer can never overwrite a newer one. A question is
   no longer pending once a save of the answer it has now was acknowledged (204); one changed
   again while its save was on the way stays pending and goes with the next save. A failed save
   is retried with back-off (2 s, doubling, at most 30 s) until it goes through or the page's
   own handler takes the refusal (token lost, exam over, paper changed).

   The page keeps the answers and the pending ids in its own state (stored in localStorage);
   the queue reads them through `answers()` and `pending()` each time, so the page may replace
   its state. Timers come from `timers` ({set, clear}; the window's by default), so a test can
   drive the queue without waiting. ES5 only. */
(function () {
  "use strict";

  var DEFAULTS = { delay: 800, again: 200, firstRetry: 2000, maxRetry: 30000 };

  function same(a, b) {
    return (a || []).join(",") === (b || []).join(",");
  }

  /* options: answers() -> {id: [keys]}; pending() -> {id: true}; ready() -> may a save go now;
     send(answers) -> Promise of {status, body}; acknowledged() after a 204 (the page persists);
     refused(response) -> true when the page has dealt with it (no retry);
     status(kind) with kind "saving", "saved" or "offline"; timers {set(fn, ms), clear(handle)}. */
  function saveQueue(options) {
    var timers = options.timers || {
      set: function (fn, ms) { return window.setTimeout(fn, ms); },
      clear: function (handle) { window.clearTimeout(handle); }
    };
    var delay = options.delay || DEFAULTS.delay;
    var saving = false;
    var timer = null;
    var retryDelay = 0;

    function chosen(id) {
      var value = options.answers()[id];
      return value && value.length ? value : [];
    }

    function pendingIds() {
      var pending = options.pending();
      var ids = [];
      for (var id in pending) if (pending.hasOwnProperty(id) && pending[id]) ids.push(id);
      return ids;
    }

    function schedule(ms) {
      if (timer !== null) timers.clear(timer);
      timer = timers.set(function () { timer = null; flush(); }, ms);
    }

    function stop() {
      if (timer !== null) timers.clear(timer);
      timer = null;
    }

    /* The answer to `id` changed on this phone (already in answers()). */
    function changed(id) {
      options.pending()[id] = true;
      schedule(delay);
    }

    function flush() {
      if (saving || !options.ready()) return;
      var ids = pendingIds();
      if (!ids.length) { options.status("saved"); return; }
      var sent = {};
      for (var i = 0; i < ids.length; i++) sent[ids[i]] = chosen(ids[i]).slice();
      saving = true;
      options.status("saving");
      options.send(sent).then(function (response) {
        saving = false;
        if (response.status === 204) {
          var pending = options.pending();
          for (var id in sent) {
            // Changed again while this save was on its way: that change is still pending.
            if (sent.hasOwnProperty(id) && same(sent[id], chosen(id))) delete pending[id];
          }
          retryDelay = 0;
          options.acknowledged();
          if (pendingIds().length) schedule(DEFAULTS.again); else options.status("saved");
          return;
        }
        if (options.refused(response)) return;
        options.status("offline");
        retryDelay = Math.min(retryDelay ? retryDelay * 2 : DEFAULTS.firstRetry, DEFAULTS.maxRetry);
        schedule(retryDelay);
      });
    }

    /* The connection is back: try now, and from the first back-off step again. */
    function online() {
      retryDelay = 0;
      flush();
    }

    return { changed: changed, flush: flush, online: online, stop: stop, pendingIds: pendingIds };
  }

  window.HR = window.HR || {};
  window.HR.saveQueue = saveQueue;
})();
