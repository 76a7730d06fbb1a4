// The back office's small enhancements, on top of forms that work without it:
// - picture uploads send one file per request, each with its own progress bar;
// - pictures are reordered by dragging (the Move buttons remain for the keyboard and without
//   this script).
// Loaded on staff pages only; same-origin requests carry the session cookie, no token.
"use strict";

(function () {
  function announce(region, text) {
    if (region) region.textContent = text;
  }

  function uploadOne(form, file, list) {
    return new Promise(function (resolve) {
      var item = document.createElement("li");
      item.className = "flex items-center gap-2";
      var label = document.createElement("span");
      label.textContent = file.name;
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Uploading " + file.name);
      var state = document.createElement("span");
      state.textContent = "0 %";
      item.append(label, bar, state);
      list.append(item);

      var body = new FormData();
      body.append("file", file, file.name);
      var alt = form.querySelector("[name=alt]");
      if (alt) body.append("alt", alt.value);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          var percent = Math.round((event.loaded / event.total) * 100);
          bar.value = percent;
          state.textContent = percent + " %";
        }
      });
      request.addEventListener("load", function () {
        if (request.status >= 200 && request.status < 300) {
          bar.value = 100;
          state.textContent = "uploaded";
          resolve(true);
        } else {
          var message = "failed";
          try {
            var error = JSON.parse(request.responseText).error;
            message = error.message;
            if (error.details) {
              message += " " + Object.values(error.details).flat().join(" ");
            }
          } catch (_) {}
          state.textContent = message;
          state.setAttribute("role", "alert");
          resolve(false);
        }
      });
      request.addEventListener("error", function () {
        state.textContent = "failed: the connection was lost";
        state.setAttribute("role", "alert");
        resolve(false);
      });
      request.send(body);
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input || !input.files.length) return;
      event.preventDefault();
      var list = document.querySelector("[data-upload-progress]");
      list.textContent = "";
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      var files = Array.from(input.files);
      files
        .reduce(function (previous, file) {
          return previous.then(function (results) {
            return uploadOne(form, file, list).then(function (ok) {
              return results.concat([ok]);
            });
          });
        }, Promise.resolve([]))
        .then(function (results) {
          button.disabled = false;
          button.removeAttribute("aria-busy");
          var done = results.filter(Boolean).length;
          if (done === results.length) {
            window.location.assign(window.location.pathname + "?uploaded=" + done + "&at=" + Date.now() + "#images");
          } else if (done > 0) {
            var again = document.createElement("li");
            var link = document.createElement("a");
            link.href = window.location.pathname + "?uploaded=" + done + "&at=" + Date.now() + "#images";
            link.textContent = "Show the " + done + " uploaded picture(s)";
            link.className = "underline";
            again.append(link);
            list.append(again);
          }
        });
    });
  });

  document.querySelectorAll("[data-reorder]").forEach(function (list) {
    var product = list.getAttribute("data-reorder");
    var status = document.querySelector("[data-reorder-status]");
    var dragged = null;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("li[data-id]");
      if (dragged) {
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", dragged.dataset.id);
        dragged.classList.add("opacity-50");
      }
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("li[data-id]");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = (event.clientY - box.top) / box.height > 0.5 || (event.clientX - box.left) / box.width > 0.5;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (event) {
      event.preventDefault();
    });
    list.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("opacity-50");
      dragged = null;
      var items = Array.from(list.querySelectorAll("li[data-id]"));
      var body = new URLSearchParams();
      body.append("id", product);
      items.forEach(function (item, index) {
        body.append("ids[]", item.dataset.id);
        var position = item.querySelector("[data-position]");
        if (position) position.textContent = String(index + 1);
      });
      announce(status, "Saving the new order…");
      fetch("/api/fn/reorder_images", {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: body,
      }).then(function (response) {
        if (response.ok) {
          // The Move buttons carry the old order: load the page again to get them right.
          window.location.assign(window.location.pathname + "?reordered=" + Date.now() + "#images");
        } else {
          announce(status, "The new order could not be saved; reload the page and try again.");
        }
      });
    });
  });
})();
