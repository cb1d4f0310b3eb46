// htmx 2 does not swap non-2xx responses by default; our error fragments come back as 422
// (see apps/core/htmx.py), so let those swap while other errors still raise htmx:responseError.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.htmx) return;
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true },
    { code: "[45]..", swap: false, error: true },
  ];
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
