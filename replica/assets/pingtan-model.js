/* Replica stand-in for the Fujian 集约化 front end (avalon 1.x + require + trsapi).
   It is not avalon: it implements only what the saved pingtan pages call, so that a
   real browser shows what the real site shows:
   - require(["list2.trsapi", ...], fn): the list page's listModel, "动静结合" mode —
     page 1 is the static list, later pages come from POST /fjdzapp/search;
   - require(["detailpage", "jquery", ...], fn) with avalon.define({$id: "QzbView"}):
     the article page's 全真版 PDF link, filled in from the inline `apps1` array;
   - the small jQuery surface those scripts touch ($(sel).attr/children/hide, $.ajax). */
(function (w, d) {
  function ready(fn) {
    if (d.readyState !== "loading") fn(); else d.addEventListener("DOMContentLoaded", fn);
  }
  function form(data) {
    var out = [];
    for (var k in data) out.push(encodeURIComponent(k) + "=" + encodeURIComponent(data[k]));
    return out.join("&");
  }
  function post(url, data, ok, fail) {
    fetch(url, {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
                body: form(data)})
      .then(function (r) { return r.json(); }).then(ok, fail || function () {});
  }

  /* ---- jQuery surface ---- */
  function $(sel) {
    if (typeof sel === "function") return ready(sel);
    var els = sel === d ? [d] : (typeof sel === "string" ? Array.prototype.slice.call(d.querySelectorAll(sel)) : [sel]);
    var api = {
      length: els.length,
      attr: function (k, v) { els.forEach(function (e) { e.setAttribute(k, v); }); return api; },
      hide: function () { els.forEach(function (e) { e.style.display = "none"; }); return api; },
      children: function (s) {
        var kids = [];
        els.forEach(function (e) { Array.prototype.forEach.call(e.children, function (c) { if (!s || c.matches(s)) kids.push(c); }); });
        return {length: kids.length};
      },
      animate: function () { return api; },
      offset: function () { return {top: 0, left: 0}; },
      ready: ready
    };
    return api;
  }
  $.ajax = function (o) { post(o.url, o.data || {}, o.success, o.error); };
  w.$ = w.jQuery = $;

  /* ---- avalon surface: define() + ms-attr-* / ms-visible bindings ---- */
  var models = {};
  function evaluate(expr, model) {
    try { return new Function("m", "with(m){return (" + expr + ");}")(model); } catch (e) { return undefined; }
  }
  function scan() {
    Array.prototype.forEach.call(d.querySelectorAll("[ms-controller]"), function (el) {
      var model = models[el.getAttribute("ms-controller")];
      if (!model) return;
      [el].concat(Array.prototype.slice.call(el.querySelectorAll("*"))).forEach(function (node) {
        Array.prototype.forEach.call(node.attributes, function (a) {
          if (a.name.indexOf("ms-attr-") === 0) {
            var value = a.value.indexOf("{{") >= 0
              ? a.value.replace(/\{\{(\w+)\}\}/g, function (_, k) { return model[k]; })
              : evaluate(a.value, model);
            if (value !== undefined) node.setAttribute(a.name.slice(8), value);
          } else if (a.name === "ms-visible" && node.getAttribute("ms-controller") === el.getAttribute("ms-controller")) {
            node.style.display = evaluate(a.value, model) ? "" : "none";
          }
        });
      });
    });
  }
  w.avalon = {
    define: function (def) {
      var model = new Proxy(def, {set: function (t, k, v) { t[k] = v; scan(); return true; }});
      models[def.$id] = model;
      scan();
      return model;
    },
    log: function (m) { if (w.console) console.log(m); }
  };

  /* ---- list2.trsapi: the list page ---- */
  function listModel(opts) {
    var perPage = opts.pagebar.prepage, total = parseInt(opts.pagebar.recordCount, 10);
    var pages = Math.max(1, Math.ceil(total / perPage));
    var staticBox = d.querySelector('[ms-visible="showStatic"]');
    var dynBox = d.querySelector('[ms-visible="!showStatic"]');
    var tpl = dynBox.querySelector('[ms-repeat="list"]');
    tpl.parentNode.removeChild(tpl);
    var waiting = dynBox.querySelector('[ms-if="list.length==0"]');
    var bar = d.querySelector('[ms-controller="list_pagebar"]');
    function link(page, text) { return "<a href='javascript:;' data-page='" + page + "'>" + text + "</a> "; }
    function renderBar(current) {
      var html = current > 1 ? link(current - 1, "上一页") : "";
      for (var i = 1; i <= pages; i++) html += i === current ? "<span class='current'>" + i + "</span> " : link(i, i);
      html += current < pages ? link(current + 1, "下一页") : "";
      bar.innerHTML = "<div class='pagination'>" + html + "<span>共" + total + "条</span></div>";
    }
    function showStatic(flag) {
      staticBox.style.display = flag ? "" : "none";
      dynBox.style.display = flag ? "none" : "";
    }
    function go(page) {
      if (page <= opts.maxStaticIndex) { showStatic(true); renderBar(page); return; }
      var args = {};
      for (var k in opts.listArgs) args[k] = opts.listArgs[k];
      args.page = page; args.prepage = perPage;
      post("/fjdzapp/search", args, function (res) {
        Array.prototype.forEach.call(dynBox.querySelectorAll("dl.replica-row"), function (r) { r.parentNode.removeChild(r); });
        if (waiting) waiting.style.display = "none";
        (res.data || []).slice(0, perPage).forEach(function (el) {
          var row = tpl.cloneNode(true);
          row.className = (row.className + " replica-row").trim();
          var a = row.querySelector("a");
          a.setAttribute("href", el.chnldocurl); a.setAttribute("title", el.doctitle); a.textContent = el.doctitle;
          row.querySelectorAll("dd")[1].textContent = String(el.docreltime).slice(0, 10);
          dynBox.appendChild(row);
        });
        showStatic(false);
        renderBar(page);
        if (opts.callToPage) opts.callToPage(page);
      });
    }
    bar.addEventListener("click", function (ev) {
      var page = ev.target.getAttribute && ev.target.getAttribute("data-page");
      if (page) go(parseInt(page, 10));
    });
    renderBar(1);
  }

  var modules = {
    "list2.trsapi": listModel,
    "tools": {},
    "detailpage": function () {},
    "jquery": $
  };
  w.require = function (deps, fn) {
    ready(function () { fn.apply(null, deps.map(function (n) { return modules[n]; })); scan(); });
  };
  w.$close_window = function () { w.close(); };
})(window, document);
