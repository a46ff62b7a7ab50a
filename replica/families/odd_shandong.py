"""An "unknown" Shandong county portal whose 年报 column must be found from ``/`` (guanxian).

No family spider is written for it. What the real platform does and this module
reproduces (``docs/site-families.md`` §2.7: Zibo, Liaocheng 莘县; §4.2 topology):

* the crawl starts at the portal's home page, which does **not** link the report
  column: 首页 → 政府信息公开 (``/gongkai/``) → 政府信息公开年报
  (``/gongkai/site_{site}/channel_{24hex}/``), with decoys on the way: 政府信息公开指南,
  政府工作报告 and a "2024年度工作报告" banner (the government's work report, not an
  open-government-information report);
* towns have their own sub-sites (``site_{town}``) with their own 年报 channel, named
  differently (政府信息公开工作年度报告, 年报); they are linked from the county's 年报
  channel (镇街年报) and from the sub-sites' homes, three clicks from ``/``;
* documents are ``doc_{24hex}.html`` (Mongo-style ids) with a header table 标题 /
  索引号 / 文号 / 发文日期 / 发布机构 and no meta tags; dates ``2024年01月25日``;
* a channel shows its first items as static HTML; the rest come from a **"加载更多"
  JSON** endpoint named only in an inline script config
  (``/gongkai/api/doc/list?channelId=…&pageNo=N&pageSize=N``), whose dates are epoch
  milliseconds;
* the county's channel mixes its reports with the city's (reposted), a 解读 and news.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from replica.families.common import (
    article_html,
    attachment_name,
    e,
    hex_name,
    paragraphs_html,
)
from replica.families.odd_common import OddHost, build_host
from replica.model import Posting, Report
from replica.site import HTML_UTF8, DocRef, Handler, Request, Resource, Site, utc

if TYPE_CHECKING:
    from replica.spec import SiteSpec

SITE_DATE = datetime(2024, 6, 18, 9, 0)
API = "/gongkai/api/doc/list"
JSON_UTF8 = "application/json;charset=UTF-8"
EPOCH = datetime(1970, 1, 1)


def _millis(local: datetime) -> int:
    return int((utc(local) - EPOCH).total_seconds() * 1000)


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head>\n<meta charset="utf-8">\n'
        f"<title>{e(title)}</title>\n"
        '<link rel="stylesheet" href="/gongkai/static/css/gk.css">\n'
        '<script src="/gongkai/static/js/jquery.min.js"></script>\n</head>\n'
    )


@dataclass(frozen=True, slots=True)
class Entry:
    """One item as a channel lists it."""

    href: str
    title: str
    published: datetime
    publisher: str


class Channel:
    """One listing channel of a (sub-)site."""

    def __init__(self, host: str, key: str, options: dict[str, Any]) -> None:
        self.key = key
        self.site_code = str(options["site"])
        self.name = str(options["name"])
        self.link = str(options.get("link", self.name))
        self.town = str(options.get("town", ""))
        self.id = hex_name(host, "channel", key, length=24)
        self.items: list[Entry] = []
        self.modified = utc(SITE_DATE)

    @property
    def path(self) -> str:
        return f"/gongkai/site_{self.site_code}/channel_{self.id}/"


class Shandong(OddHost):
    def __init__(self, spec: SiteSpec, epoch: int) -> None:
        super().__init__(spec, epoch)
        self.code = str(spec.option("site_code"))
        self.channels = {
            key: Channel(spec.host, key, options)
            for key, options in spec.option("channels").items()
        }
        self.main = next(c for c in self.channels.values() if not c.town)
        self.towns = [c for c in self.channels.values() if c.town]
        self.guide = Channel(
            spec.host, "zn", {"site": self.code, "name": "政府信息公开指南"}
        )
        self.workreport = Channel(
            spec.host, "zfgzbg", {"site": self.code, "name": "政府工作报告"}
        )

    def site_name(self, channel: Channel) -> str:
        return f"冠县{channel.town}" if channel.town else self.spec.site_name

    def home_of(self, channel: Channel) -> str:
        return f"/gongkai/site_{channel.site_code}/" if channel.town else "/gongkai/"

    def frame(self, title: str, crumbs: list[tuple[str, str]], main: str) -> str:
        trail = " &gt; ".join(f'<a href="{e(h)}">{e(n)}</a>' for n, h in crumbs)
        return (
            _head(title)
            + '<body>\n<div class="gk-top"><div class="gk-logo">冠县政府信息公开平台</div>'
            '<div class="gk-back"><a href="/">返回冠县人民政府网</a></div></div>\n'
            f'<div class="gk-crumb">当前位置：{trail}</div>\n'
            f'<div class="gk-main">\n{main}\n</div>\n'
            '<div class="gk-foot">冠县人民政府办公室主办　鲁ICP备12008866号-1　'
            "网站标识码：3715250001</div>\n</body></html>"
        )

    def crumbs(self, channel: Channel) -> list[tuple[str, str]]:
        out = [("首页", "/"), ("政府信息公开", "/gongkai/")]
        if channel.town:
            out.append((f"{channel.town}信息公开", self.home_of(channel)))
        return [*out, (channel.name, channel.path)]

    # ------------------------------------------------------------------ documents
    def add(self, posting: Posting, channel: Channel | None = None) -> None:
        channel = channel or self.channels[posting.column or self.main.key]
        item = posting.item
        doc = hex_name(self.spec.host, "doc", posting.docid, length=24)
        day = posting.published
        refs = self.post(
            posting,
            f"{channel.path}doc_{doc}.html",
            lambda refs: self._document(posting, channel, refs).encode(),
            lambda fmt: f"/gongkai/files/{day:%Y}/{day:%m}/{day:%d}/{doc}.{fmt}",
        )
        href = self.local(refs[0].url)
        channel.items.append(
            Entry(href, posting.list_title, posting.published, item.publisher)
        )
        channel.modified = max(channel.modified, utc(posting.published))
        if isinstance(item, Report):
            self.site.documents[item.key] = refs

    def _document(self, posting: Posting, channel: Channel, refs: list[DocRef]) -> str:
        item = posting.item
        unit = f"11371525{posting.docid % 10000:04d}00000"
        index_no = f"{unit}/{posting.published.year}-{posting.docid % 1000:05d}"
        header = (
            '<table class="doc-head">'
            f'<tr><th>标　　题</th><td colspan="3">{e(item.title)}</td></tr>'
            f"<tr><th>索 引 号</th><td>{index_no}</td><th>文　　号</th><td></td></tr>"
            f"<tr><th>发文日期</th><td>{posting.published:%Y年%m月%d日}</td>"
            f"<th>发布机构</th><td>{e(item.publisher)}</td></tr></table>"
        )
        files = "".join(
            f'<li><a href="{e(self.local(ref.url))}" target="_blank">'
            f"{e(attachment_name(posting))}</a></li>"
            for ref in refs
        )
        main = (
            f'{header}\n<div class="doc-title">{e(item.title)}</div>\n'
            f'<div class="doc-content" id="docContent">\n{article_html(posting)}\n</div>\n'
            + (
                f'<div class="doc-files"><p>附件：</p><ul>{files}</ul></div>\n'
                if files
                else ""
            )
        )
        return self.frame(
            f"{item.title}-{self.site_name(channel)}", self.crumbs(channel), main
        )

    # ------------------------------------------------------------------ listings
    @staticmethod
    def _li(entry: Entry) -> str:
        return (
            f'<li><span class="doc-title"><a href="{e(entry.href)}" target="_blank" '
            f'title="{e(entry.title)}">{e(entry.title)}</a></span>'
            f'<span class="doc-date">{entry.published:%Y-%m-%d}</span></li>'
        )

    def _channel_page(self, channel: Channel, perpage: int) -> str:
        first = "\n".join(self._li(entry) for entry in channel.items[:perpage])
        config = json.dumps(
            {
                "siteCode": channel.site_code,
                "channelId": channel.id,
                "pageSize": perpage,
                "total": len(channel.items),
                "url": API,
            }
        )
        more = (
            '<div class="load-more"><a href="javascript:void(0);" id="loadMore">加载更多</a></div>\n'
            if len(channel.items) > perpage
            else ""
        )
        side = ""
        if channel is self.main and self.towns:
            links = "".join(
                f'<li><a href="{t.path}">{e(t.town)}{e(t.link)}</a></li>'
                for t in self.towns
            )
            side = f'<div class="gk-side"><h3>镇街年报</h3><ul>{links}</ul></div>\n'
        main = (
            f"{side}"
            f'<div class="gk-list"><div class="gk-list-title">{e(channel.name)}</div>\n'
            f'<ul class="doc-list" id="docList">\n{first}\n</ul>\n{more}</div>\n'
            f"<script>var pageConf = {config};\n"
            "var pageNo = 1;\n$('#loadMore').on('click', function(){ pageNo++;\n"
            "  $.getJSON(pageConf.url, {channelId: pageConf.channelId, pageNo: pageNo, "
            "pageSize: pageConf.pageSize}, function(res){\n"
            "    $.each(res.data.list, function(i, d){ $('#docList').append(\n"
            "      '<li><a href=\"' + d.url + '\">' + d.title + '</a></li>'); });\n"
            "    if (pageNo * pageConf.pageSize >= res.data.total) { $('#loadMore').hide(); }\n"
            "  });\n});</script>"
        )
        return self.frame(
            f"{channel.name}-{self.site_name(channel)}", self.crumbs(channel), main
        )

    def _api(self, perpage: int) -> Handler:
        by_id = {
            c.id: c for c in (*self.channels.values(), self.guide, self.workreport)
        }

        def handle(request: Request) -> Resource:
            p = request.params()
            channel = by_id.get(p.get("channelId", ""))
            page = int(p["pageNo"]) if p.get("pageNo", "").isdigit() else 1
            size = int(p["pageSize"]) if p.get("pageSize", "").isdigit() else perpage
            size = min(max(size, 1), 50)
            if channel is None:
                body = {"code": 404, "msg": "栏目不存在", "data": None}
            else:
                chunk = (
                    channel.items[(page - 1) * size : page * size] if page > 0 else []
                )
                body = {
                    "code": 200,
                    "msg": "success",
                    "data": {
                        "total": len(channel.items),
                        "pageNo": page,
                        "pageSize": size,
                        "pages": math.ceil(len(channel.items) / size),
                        "list": [
                            {
                                "docId": entry.href.rsplit("doc_", 1)[-1].split(".")[0],
                                "title": entry.title,
                                "url": entry.href,
                                "publishTime": _millis(entry.published),
                                "publisher": entry.publisher,
                            }
                            for entry in chunk
                        ],
                    },
                }
            data = json.dumps(body, ensure_ascii=False).encode()
            return Resource(data, JSON_UTF8, utc(SITE_DATE), validators=())

        return handle

    def _decoys(self) -> None:
        """The 指南 and 政府工作报告 channels: documents that are not annual reports."""
        moments = (
            datetime(2023, 6, 1, 9, 0),
            datetime(2024, 1, 12, 10, 0),
            datetime(2023, 1, 16, 10, 0),
        )
        docs = (
            (
                self.guide,
                "冠县人民政府政府信息公开指南",
                moments[0],
                (
                    "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。",
                ),
            ),
            (
                self.workreport,
                "2024年冠县人民政府工作报告",
                moments[1],
                (
                    "——2024年1月8日在冠县第十八届人民代表大会第四次会议上",
                    "各位代表：现在，我代表县人民政府，向大会报告工作，请予审议。",
                ),
            ),
            (
                self.workreport,
                "冠县人民政府2023年度工作报告",
                moments[2],
                (
                    "2023年，在县委的坚强领导下，县政府团结带领全县人民，较好完成了全年目标任务。",
                ),
            ),
        )
        for n, (channel, title, moment, paragraphs) in enumerate(docs):
            doc = hex_name(self.spec.host, "decoy", n, length=24)
            href = f"{channel.path}doc_{doc}.html"
            main = (
                f'<div class="doc-title">{e(title)}</div>\n<div class="doc-content" id="docContent">\n'
                f"{paragraphs_html(paragraphs)}\n</div>"
            )
            self.site.add(
                href,
                Resource(
                    self.frame(title, self.crumbs(channel), main).encode(),
                    HTML_UTF8,
                    utc(moment),
                ),
            )
            channel.items.append(Entry(href, title, moment, self.spec.site_name))

    # ------------------------------------------------------------------ pages
    def finish(self) -> None:
        perpage = int(self.spec.option("perpage", 10))
        self._decoys()
        for channel in (*self.channels.values(), self.guide, self.workreport):
            self.site.add(
                f"{channel.path}index.html",
                Resource(
                    self._channel_page(channel, perpage).encode(),
                    HTML_UTF8,
                    channel.modified,
                ),
            )
        self.site.handlers[API] = self._api(perpage)
        self._gongkai()
        self._towns()
        self._home()

    def _gongkai(self) -> None:
        towns = "".join(
            f'<li><a href="{self.home_of(t)}">{e(t.town)}</a></li>' for t in self.towns
        )
        main = (
            '<div class="gk-menu"><h3>政府信息公开</h3><ul>'
            f'<li><a href="{self.guide.path}">政府信息公开指南</a></li>'
            '<li><a href="/gongkai/site_gxzf/zd/">政府信息公开制度</a></li>'
            '<li><a href="/gongkai/site_gxzf/fdzdgknr/">法定主动公开内容</a></li>'
            f'<li><a href="{self.main.path}">{e(self.main.link)}</a></li>'
            f'<li><a href="{self.workreport.path}">政府工作报告</a></li></ul></div>\n'
            '<div class="gk-units"><h3>部门信息公开</h3><ul>'
            '<li><a href="/gongkai/site_gxjtysj/">县交通运输局</a></li>'
            '<li><a href="/gongkai/site_gxjyj/">县教育和体育局</a></li></ul>\n'
            f"<h3>镇街信息公开</h3><ul>{towns}</ul></div>"
        )
        self.site.add(
            "/gongkai/index.html",
            Resource(
                self.frame(
                    "冠县政府信息公开平台",
                    [("首页", "/"), ("政府信息公开", "/gongkai/")],
                    main,
                ).encode(),
                HTML_UTF8,
                utc(SITE_DATE),
            ),
        )

    def _towns(self) -> None:
        for town in self.towns:
            main = (
                f'<div class="gk-menu"><h3>{e(town.town)}信息公开</h3><ul>'
                f'<li><a href="/gongkai/site_{town.site_code}/zn/">政府信息公开指南</a></li>'
                f'<li><a href="/gongkai/site_{town.site_code}/fdzdgknr/">法定主动公开内容</a></li>'
                f'<li><a href="{town.path}">{e(town.link)}</a></li></ul></div>'
            )
            self.site.add(
                f"{self.home_of(town)}index.html",
                Resource(
                    self.frame(
                        f"{town.town}信息公开-冠县政府信息公开平台",
                        self.crumbs(town)[:-1],
                        main,
                    ).encode(),
                    HTML_UTF8,
                    utc(SITE_DATE),
                ),
            )

    def _home(self) -> None:
        report = next(i.href for i in self.workreport.items if "2023年度" in i.title)
        html = (
            _head(self.spec.site_name) + "<body>\n"
            '<div class="top"><div class="logo">冠县人民政府</div>'
            '<div class="search"><form action="/search/"><input name="q"></form></div></div>\n'
            '<div class="nav"><ul><li><a href="/">首页</a></li>'
            '<li><a href="/zjgx/">走进冠县</a></li>'
            '<li><a href="/xwzx/">新闻中心</a></li>'
            '<li><a href="/gongkai/">政府信息公开</a></li>'
            '<li><a href="/zwfw/">政务服务</a></li>'
            '<li><a href="/hdjl/">互动交流</a></li></ul></div>\n'
            f'<div class="banner"><a href="{e(report)}">冠县人民政府2023年度工作报告</a></div>\n'
            '<div class="box"><h3>政务要闻</h3><ul>'
            '<li><a href="/xwzx/zwyw/202406/t20240617_4312.html">冠县召开2024年度优化营商环境推进会</a></li>'
            '<li><a href="/xwzx/zwyw/202406/t20240614_4305.html">冠县开展安全生产大检查</a></li></ul></div>\n'
            '<div class="box"><h3>政务公开</h3><ul>'
            f'<li><a href="{self.workreport.path}">政府工作报告</a></li>'
            f'<li><a href="{self.guide.path}">政府信息公开指南</a></li>'
            '<li><a href="/zwgk/tjxx/">统计信息</a></li>'
            '<li><a href="/zwgk/czyjs/">财政预决算</a></li></ul></div>\n'
            '<div class="foot">冠县人民政府办公室主办　鲁ICP备12008866号-1</div>\n</body></html>'
        )
        self.site.add("/index.html", Resource(html.encode(), HTML_UTF8, utc(SITE_DATE)))


def build(site_spec: SiteSpec, postings: list[Posting], epoch: int) -> Site:
    """The whole host for one night."""
    not_found = '<html><body><div class="error">抱歉，您访问的页面不存在！</div></body></html>'.encode()
    return build_host(Shandong(site_spec, epoch), postings, not_found, SITE_DATE)
