// Optional: a filter box over the matrix rows and function sections. The page
// is complete without it (JavaScript off, printed); nothing is fetched.
(function () {
  "use strict";
  var matrix = document.getElementById("matrix");
  if (!matrix) { return; }
  var box = document.createElement("div");
  box.className = "filter";
  var label = document.createElement("label");
  label.textContent = "Filter functions: ";
  var input = document.createElement("input");
  input.type = "search";
  input.placeholder = "part of a function id";
  label.appendChild(input);
  box.appendChild(label);
  matrix.insertBefore(box, matrix.querySelector(".scroll"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.function-row"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("article.function"));
  function matches(el, text) {
    var name = el.querySelector("th, h3");
    return !text || (name && name.textContent.toLowerCase().indexOf(text) !== -1);
  }
  input.addEventListener("input", function () {
    var text = input.value.trim().toLowerCase();
    rows.concat(sections).forEach(function (el) {
      el.classList.toggle("hidden", !matches(el, text));
    });
  });
}());
