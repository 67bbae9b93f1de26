{# The exam page's service worker (issue 20), served at {root}sw.js so its scope is the whole site.
   It keeps only what reloading the exam page needs without a connection: the page itself (the
   same for every candidate: no name, no token, no answer in it) and its hashed scripts and styles.
   The paper and the answers already live in localStorage (exam.js), which the result screen
   clears. API responses, the staff console and every other page always go to the network and are
   never stored, so nothing of one candidate is left for the next on a shared phone. #}
"use strict";
var CACHE = "hr-exam-page:" + {{ version|tojson }};
var PAGE = {{ page|tojson }};
var ASSETS = {{ assets|tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll([PAGE].concat(ASSETS)); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  // A deploy changes the hashed names, so this file and its cache name change with them.
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; })
        .map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE && request.mode === "navigate") {
    // Network first: the page follows the day (registration, exam, closed); the stored copy
    // answers only when there is no connection.
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { return cache.put(PAGE, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(PAGE).then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    // A hashed name's bytes never change.
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(request); }));
  }
});
