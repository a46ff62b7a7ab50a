/* Replica stand-in for the jQuery build that Hanweb jcms pages load.
   It implements only what the replica's column pages call: $(fn), $(document).ready(fn)
   and $('#unit').jpage(config). It is not jQuery. */
(function (w, d) {
  function onReady(fn) {
    if (d.readyState !== "loading") fn(); else d.addEventListener("DOMContentLoaded", fn);
  }
  function $(sel) {
    if (typeof sel === "function") return onReady(sel);
    // jcms unit ids are all digits, which querySelector("#123") rejects; jQuery uses getElementById.
    var el = sel === d ? d : (/^#[\w-]+$/.test(sel) ? d.getElementById(sel.slice(1)) : d.querySelector(sel));
    return {
      ready: onReady,
      jpage: function (cfg) { onReady(function () { w.__replicaJpage(el, cfg); }); }
    };
  }
  w.$ = w.jQuery = $;
})(window, document);
