// As-you-type suggestions for the header's search field (a plain GET form without this script).
// The field becomes a combobox: typing asks /api/v1/search/suggest (debounced, the last answer
// wins), arrow keys move through the list, Enter opens the chosen suggestion (or searches what
// was typed), Escape closes it, and the number of suggestions is announced to screen readers.
(function () {
  "use strict";
  var form = document.querySelector("[data-search-box]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var list = form.querySelector("[role=listbox]");
  var status = form.querySelector("[aria-live]");
  var items = [];
  var active = -1;
  var timer = 0;
  var asked = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    items.forEach(function (item, i) {
      var on = i === index;
      item.el.setAttribute("aria-selected", on ? "true" : "false");
      item.el.classList.toggle("bg-stone-100", on);
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", items[index].el.id);
      items[index].el.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(suggestions) {
    list.textContent = "";
    items = suggestions.map(function (s, i) {
      var li = document.createElement("li");
      li.id = "site-search-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.url = s.url;
      li.className = "flex cursor-pointer items-baseline justify-between gap-3 px-3 py-2 text-sm";
      var label = document.createElement("span");
      // The server escapes the name and only adds <mark> around the typed part.
      label.innerHTML = s.highlight;
      var kind = document.createElement("span");
      kind.className = "text-xs text-stone-600";
      kind.textContent = s.kind === "category" ? "Category" : "Product";
      li.appendChild(label);
      li.appendChild(kind);
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.assign(s.url);
      });
      list.appendChild(li);
      return { el: li, url: s.url };
    });
    active = -1;
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    status.textContent = items.length
      ? items.length + (items.length === 1 ? " suggestion" : " suggestions") + ", use the arrow keys to choose"
      : "No suggestions";
  }

  function ask() {
    var q = input.value.trim();
    if (q.length < 2) {
      close();
      status.textContent = "";
      return;
    }
    var ticket = ++asked;
    form.setAttribute("aria-busy", "true");
    fetch("/api/v1/search/suggest?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { data: [] };
      })
      .then(function (body) {
        if (ticket === asked) show(body.data || []);
      })
      .catch(function () {
        if (ticket === asked) close();
      })
      .finally(function () {
        if (ticket === asked) form.removeAttribute("aria-busy");
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(items[active].url);
    } else if (event.key === "Escape" && !list.hidden) {
      // Closes the list and keeps the text (a search field's Escape would clear it).
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", function () {
    setTimeout(close, 100);
  });
})();
