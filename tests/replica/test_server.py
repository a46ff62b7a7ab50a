"""The replica's HTTP is real: proxying by host, TLS tunnels, validators, HEAD, gzip,
keep-alive, loopback only — and `python -m replica serve` serves its whole manifest."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from app.standin import start_replica
from replica.catalog import catalog
from replica.check import check_replica
from replica.client import request_raw
from replica.server import ReplicaServer

PAGE = "http://www.wip.gov.cn/art/2024/1/29/art_151616_4308925.html"


def test_conditional_get_by_etag_and_by_date(raw) -> None:
    first = raw("GET", PAGE)
    assert first.status == 200
    assert re.fullmatch(r'"[0-9a-f]{32}"', first.headers["ETag"])
    assert (
        first.headers["Last-Modified"] == "Mon, 29 Jan 2024 02:09:00 GMT"
    )  # 10:09 in Beijing
    assert raw("GET", PAGE, {"If-None-Match": first.headers["ETag"]}).status == 304
    assert (
        raw("GET", PAGE, {"If-Modified-Since": first.headers["Last-Modified"]}).status
        == 304
    )
    assert raw("GET", PAGE, {"If-None-Match": '"0000"'}).status == 200
    assert (
        raw("GET", PAGE, {"If-Modified-Since": "Sun, 28 Jan 2024 00:00:00 GMT"}).status
        == 200
    )
    # If-None-Match wins over If-Modified-Since (RFC 9110)
    both = {
        "If-None-Match": '"0000"',
        "If-Modified-Since": first.headers["Last-Modified"],
    }
    assert raw("GET", PAGE, both).status == 200


def test_dynamic_pages_send_no_validators_and_jsp_pages_only_a_date(
    raw, manifest
) -> None:
    proxy = raw(
        "GET",
        "http://www.whctp.gov.cn/module/web/jpage/dataproxy.jsp?columnid=82956&page=1",
    )
    assert "ETag" not in proxy.headers
    assert "Last-Modified" not in proxy.headers
    jsp = raw("GET", manifest["penglai-gov/2021"]["files"][0]["url"])
    assert "ETag" not in jsp.headers
    assert "Last-Modified" in jsp.headers
    again = raw(
        "GET",
        manifest["penglai-gov/2021"]["files"][0]["url"],
        {"If-Modified-Since": jsp.headers["Last-Modified"]},
    )
    assert again.status == 304


def test_head_gives_the_headers_without_the_body(raw) -> None:
    full, head = raw("GET", PAGE), raw("HEAD", PAGE)
    assert head.status == 200
    assert head.body == b""
    assert head.headers["Content-Length"] == str(len(full.body))
    assert head.headers["ETag"] == full.headers["ETag"]


def test_gzip_when_asked_with_a_weak_etag(raw) -> None:
    plain = raw("GET", PAGE)
    zipped = raw("GET", PAGE, {"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == plain.body
    assert zipped.headers["ETag"] == "W/" + plain.headers["ETag"]
    assert (
        raw(
            "GET",
            PAGE,
            {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]},
        ).status
        == 304
    )


def test_keep_alive_serves_several_requests_on_one_connection(replica) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", replica.port, timeout=10)
    try:
        for _ in range(3):
            conn.request("GET", PAGE)
            response = conn.getresponse()
            assert response.status == 200
            assert len(response.read()) > 10000
        sock = conn.sock
        conn.request("GET", "http://www.wip.gov.cn/")
        conn.getresponse().read()
        assert conn.sock is sock
    finally:
        conn.close()


def test_origin_form_requests_are_routed_by_host_header(replica) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", replica.port, timeout=10)
    try:
        conn.request(
            "GET",
            "/art/2024/1/29/art_151616_4308925.html",
            headers={"Host": "www.wip.gov.cn"},
        )
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_hosts_outside_the_replica_never_leave_the_machine(raw, replica) -> None:
    reply = raw("GET", "http://www.example.com/")
    assert reply.status == 502
    assert b"no such host www.example.com" in reply.body
    with pytest.raises(OSError, match="502"):
        request_raw(replica.proxy, "GET", "https://www.example.com/")
    with pytest.raises(OSError, match="502"):  # an HTTP-only replica host has no TLS
        request_raw(replica.proxy, "GET", "https://www.wip.gov.cn/")


def test_the_replica_binds_to_loopback_only() -> None:
    import asyncio

    server = ReplicaServer(1, host="0.0.0.0")
    with pytest.raises(ValueError, match="loopback only"):
        asyncio.run(server.start())


def test_control_pages_switch_nights_and_count_requests(replica_at) -> None:
    server = replica_at(3)
    control = f"{server.proxy}/_replica"
    assert request_raw(server.proxy, "GET", f"{control}/epoch").body == b'{"epoch": 3}'
    assert request_raw(server.proxy, "POST", f"{control}/epoch?n=0").status == 400
    request_raw(server.proxy, "GET", PAGE)
    stats = json.loads(request_raw(server.proxy, "GET", f"{control}/stats").body)
    assert stats["requests"] >= 1
    assert stats["by_status"]["200"] >= 1
    manifest = request_raw(
        server.proxy, "GET", f"{control}/manifest?epoch=1"
    ).body.decode()
    assert len(manifest.splitlines()) == len(catalog(1).manifest()) >= 300


def test_switching_nights_takes_effect_at_once(replica_at) -> None:
    server = replica_at(4)
    url = "http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB/zjnb/index_1.html"
    try:
        server.set_epoch(1)
        assert (
            "凌河街道办事处2020年".encode("gbk")
            in request_raw(server.proxy, "GET", url).body
        )
        server.set_epoch(4)
        assert (
            "凌河街道办事处2020年".encode("gbk")
            not in request_raw(server.proxy, "GET", url).body
        )
    finally:
        server.set_epoch(4)


@pytest.mark.parametrize("epoch", [1, 2])
def test_replica_serve_serves_every_manifest_url_and_stops_cleanly_on_sigterm(
    epoch: int,
) -> None:
    # How fast it starts is measured by the benchmarks (`python -m bench --only startup`).
    standin = start_replica(["--epoch", str(epoch)])
    try:
        result = check_replica(standin.proxy, epoch)
        assert result.ok, result.summary()
        assert result.reports == len(catalog(epoch).manifest()) >= 300
    finally:
        returncode = standin.stop(signal.SIGTERM, timeout=20)
    assert returncode == 0
    assert "replica: stopped" in standin.output


def test_replica_serve_explains_a_busy_port(replica) -> None:
    port = urlsplit(replica.proxy).port
    done = subprocess.run(
        [sys.executable, "-m", "replica", "serve", "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"Error: cannot listen on 127.0.0.1:{port}" in done.stderr


def test_a_replica_told_to_stop_exits_although_a_client_holds_a_tunnel_open() -> None:
    """A CONNECT tunnel whose TLS handshake never comes (Chromium preconnects so) used
    to keep a stopping replica waiting forever for the connection to close."""
    standin = start_replica([])
    port = urlsplit(standin.proxy).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(
            b"CONNECT www.pingtan.gov.cn:443 HTTP/1.1\r\nHost: www.pingtan.gov.cn:443\r\n\r\n"
        )
        assert client.recv(100).startswith(b"HTTP/1.1 200")
        returncode = standin.stop(signal.SIGTERM, timeout=20)
    assert returncode == 0, standin.output
    assert "replica: stopped" in standin.output
    assert "Traceback" not in standin.output
