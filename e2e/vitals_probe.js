// Installed before any page script (context.add_init_script): collects Web Vitals as the
// browser reports them, using the same definitions as Google's web-vitals library.
(() => {
  const v = { fcp: null, lcp: null, cls: 0, inp: null };
  window.__harnessVitals = v;
  const observe = (type, callback, extra) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(callback))
        .observe({ type, buffered: true, ...extra });
    } catch (e) {
      // An entry type this browser does not support stays null and is reported as missing.
    }
  };
  observe("paint", (e) => { if (e.name === "first-contentful-paint") v.fcp = e.startTime; });
  observe("largest-contentful-paint", (e) => { v.lcp = e.renderTime || e.loadTime || e.startTime; });
  // CLS: the largest session window (gaps < 1 s, window < 5 s), shifts after input excluded.
  let session = 0, first = 0, last = 0;
  observe("layout-shift", (e) => {
    if (e.hadRecentInput) return;
    if (session && e.startTime - last < 1000 && e.startTime - first < 5000) {
      session += e.value;
    } else {
      session = e.value;
      first = e.startTime;
    }
    last = e.startTime;
    v.cls = Math.max(v.cls, session);
  });
  // INP: the slowest interaction (fewer than 50 interactions, so no percentile is dropped).
  // Event Timing only reports events >= 16 ms; first-input is always reported, so a fast page
  // still has a measured interaction.
  const interaction = (e) => {
    if (e.entryType === "event" && !e.interactionId) return;
    v.inp = Math.max(v.inp || 0, e.duration);
  };
  observe("event", interaction, { durationThreshold: 16 });
  observe("first-input", interaction);
})();
