// Keeps a customer's status page current without a reload. Every 15 seconds (and when the tab
// comes back into view) it asks for the page again, which costs a 304 while nothing changed, and
// swaps the parts marked data-live; a change of the overall state is read out by screen readers.
// Without JavaScript the page refreshes itself every minute instead (a <noscript> refresh).
(() => {
  const INTERVAL = 15000;
  let busy = false;
  const headline = (doc) => doc.querySelector("[data-live] .status-banner h2")?.textContent ?? "";
  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const res = await fetch(location.href, { cache: "no-cache", credentials: "omit" });
      if (!res.ok) return;
      const next = new DOMParser().parseFromString(await res.text(), "text/html");
      const before = headline(document);
      for (const el of document.querySelectorAll("[data-live]")) {
        const fresh = next.querySelector(`[data-live="${el.dataset.live}"]`);
        if (!fresh || fresh.innerHTML === el.innerHTML) continue;
        // A reader who opened a day-by-day table keeps it open.
        const open = new Set([...el.querySelectorAll("details[open] > summary")].map((s) => s.textContent));
        el.innerHTML = fresh.innerHTML;
        for (const s of el.querySelectorAll("details > summary")) {
          if (open.has(s.textContent)) s.parentElement.open = true;
        }
      }
      const after = headline(document);
      const news = document.getElementById("live-news");
      if (news && after && after !== before) news.textContent = after;
      if (next.title) document.title = next.title;
    } catch {
      // Offline or the server is away: the page stays as it is and says how old it is.
    } finally {
      busy = false;
    }
  }
  setInterval(refresh, INTERVAL);
  document.addEventListener("visibilitychange", refresh);
})();
