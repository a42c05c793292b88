// The handbook's 打印 button: behaviour on a data attribute, no inline script.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
});
