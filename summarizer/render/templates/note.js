(function () {
  "use strict";
  // Hovering or focusing a fact previews its evidence; clicking pins it. Evidence sentences are spans whose ids
  // come from the fact's data-evidence ("d2:5 d1:3" -> #s-d2-5, #s-d1-3).
  var panel = document.querySelector(".panel");
  var pinned = null;

  function evidenceOf(fact) {
    return (fact.getAttribute("data-evidence") || "").split(/\s+/).filter(Boolean).map(function (id) {
      return document.getElementById("s-" + id.replace(":", "-"));
    }).filter(Boolean);
  }

  function panelScrollsItself() {
    return panel && panel.scrollHeight > panel.clientHeight && getComputedStyle(panel).overflowY !== "visible";
  }

  // Beside the note, the panel scrolls on its own, so even a hover may bring the evidence into view. Below the
  // note (narrow screens) that would move the whole page, so only a click does it there.
  function reveal(span, moveThePage) {
    var closed = span.closest("details:not([open])");
    if (closed) { closed.open = true; }
    if (panelScrollsItself() && panel.contains(span)) {
      var offset = span.getBoundingClientRect().top - panel.getBoundingClientRect().top;
      panel.scrollTo({ top: panel.scrollTop + offset - panel.clientHeight / 3, behavior: "smooth" });
    } else if (moveThePage) {
      span.scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }

  function show(fact, moveThePage) {
    document.querySelectorAll(".sent.hl").forEach(function (s) { s.classList.remove("hl"); });
    document.querySelectorAll(".fact.active").forEach(function (f) { f.classList.remove("active"); });
    if (!fact) { return; }
    fact.classList.add("active");
    var spans = evidenceOf(fact);
    spans.forEach(function (s) { s.classList.add("hl"); });
    if (spans.length) { reveal(spans[0], moveThePage); }
  }

  function factAt(event) {
    return event.target.closest ? event.target.closest(".fact[data-evidence]") : null;
  }

  document.addEventListener("mouseover", function (event) {
    var fact = factAt(event);
    if (fact && !fact.classList.contains("active")) { show(fact, false); }
  });
  document.addEventListener("mouseout", function (event) {
    var fact = factAt(event);
    if (fact && !fact.contains(event.relatedTarget) && fact !== pinned) { show(pinned, false); }
  });
  document.addEventListener("focusin", function (event) {
    var fact = factAt(event);
    if (fact) { show(fact, false); }
  });
  document.addEventListener("click", function (event) {
    var fact = factAt(event);
    if (!fact || event.target.closest("a")) { return; }
    pinned = fact;
    show(fact, true);
  });
  document.addEventListener("keydown", function (event) {
    var fact = factAt(event);
    if (fact && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      pinned = fact;
      show(fact, true);
    }
  });
})();
