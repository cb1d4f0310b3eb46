// htmx's configuration is the <meta name="htmx-config"> in base.html: error fragments come back
// as 422 (see apps/core/htmx.py) and swap, other errors raise htmx:responseError.
// Selects marked data-submit-on-change send their form at once (the team switcher); an inline
// onchange handler would need 'unsafe-inline' in the Content-Security-Policy.
document.addEventListener("change", (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.form && select.hasAttribute("data-submit-on-change")) {
    select.form.requestSubmit();
  }
});
document.addEventListener("htmx:responseError", (event) => {
  const region = document.getElementById("messages");
  if (!region) return;
  const p = document.createElement("p");
  p.className = "message message-error";
  p.setAttribute("role", "alert");
  // The 403/404/500 pages carry their plain-words reason in .reason; show it when there is one.
  const page = new DOMParser().parseFromString(event.detail.xhr.responseText || "", "text/html");
  const reason = page.querySelector(".error-page .reason");
  p.textContent = reason
    ? reason.textContent.trim()
    : `The server could not complete that request (status ${event.detail.xhr.status}). Please try again.`;
  region.replaceChildren(p);
});
