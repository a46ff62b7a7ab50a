"""CharsetMiddleware decodes pages by the evidence of their bytes, and leaves
documents alone (Scrapy makes TextResponses of PDFs too)."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request, TextResponse

from crawler.middlewares import CharsetMiddleware

GBK_PAGE = (
    "<html><body><a>平潭县2023年政府信息公开工作年度报告</a></body></html>".encode(
        "gbk"
    )
)
LYING = {"Content-Type": "text/html; charset=utf-8"}


def test_a_page_whose_header_lies_is_decoded_by_its_bytes() -> None:
    request = Request("http://www.pingtan.gov.cn/list.htm")
    response = HtmlResponse(request.url, headers=LYING, body=GBK_PAGE, request=request)
    decoded = CharsetMiddleware().process_response(request, response)
    assert decoded.encoding == "gb18030"
    assert "平潭县2023年" in decoded.text
    assert request.meta["encoding_suspect"] == "utf-8 → gb18030"


def test_a_document_is_passed_on_untouched() -> None:
    """The same bytes inside a PDF, under the same lying header: not a page, nothing
    to decode (nor any charset detection run over the whole file)."""
    pdf = b"%PDF-1.7\n" + GBK_PAGE * 50
    request = Request("http://www.pingtan.gov.cn/report.pdf")
    response = TextResponse(request.url, headers=LYING, body=pdf, request=request)
    assert CharsetMiddleware().process_response(request, response) is response
    assert "encoding_suspect" not in request.meta
