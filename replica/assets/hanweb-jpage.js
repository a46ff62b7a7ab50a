/* Replica stand-in for Hanweb's jpage: renders the records of the inline <datastore>
   and fetches further pages from dataproxy.jsp (POST, startrecord/endrecord/perpage),
   the way the real widget does. */
window.__replicaJpage = function (unit, cfg) {
  var list = document.createElement("ul");
  var bar = document.createElement("div");
  bar.className = "jpage-bar";
  unit.appendChild(list);
  unit.appendChild(bar);
  var pages = Math.max(1, Math.ceil(cfg.totalRecord / cfg.perPage));
  function records(xml) {
    var out = [], re = /<record><!\[CDATA\[([\s\S]*?)\]\]><\/record>/g, m;
    while ((m = re.exec(xml))) out.push(m[1]);
    return out;
  }
  function show(items, page) {
    list.innerHTML = items.join("");
    var html = "";
    for (var i = 1; i <= pages; i++) {
      html += i === page ? "<span class='current'>" + i + "</span>"
                         : "<a href='javascript:;' data-page='" + i + "'>" + i + "</a>";
    }
    bar.innerHTML = "共" + cfg.totalRecord + "条 " + html;
  }
  function load(page) {
    var start = (page - 1) * cfg.perPage + 1, end = page * cfg.perPage;
    var form = [];
    for (var k in cfg.ajaxParam) form.push(k + "=" + encodeURIComponent(cfg.ajaxParam[k]));
    fetch(cfg.proxyUrl + "?startrecord=" + start + "&endrecord=" + end + "&perpage=" + cfg.perPage, {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded"},
      body: form.join("&")
    }).then(function (r) { return r.text(); }).then(function (xml) { show(records(xml), page); });
  }
  bar.addEventListener("click", function (ev) {
    var page = ev.target.getAttribute && ev.target.getAttribute("data-page");
    if (page) load(parseInt(page, 10));
  });
  var inline = unit.querySelector('script[type="text/xml"]');
  show(records(inline ? inline.textContent : ""), 1);
};
