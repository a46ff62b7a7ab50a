"""What a replica host is made of: resources, dynamic endpoints, and its documents."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs

CHINA_OFFSET = timedelta(hours=8)
HTML_UTF8 = "text/html; charset=utf-8"
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": HTML_UTF8,
}


def utc(local: datetime) -> datetime:
    """Asia/Shanghai wall time (how the spec writes times) to naive UTC."""
    return local - CHINA_OFFSET


@dataclass(frozen=True, slots=True)
class Resource:
    """One HTTP response body with the headers that describe it.

    ``validators`` says which of ETag / Last-Modified the server sends (and so which
    conditional requests it honours): static files send both, JSP pages vary.
    """

    body: bytes
    content_type: str
    modified: datetime  # naive UTC
    status: int = 200
    disposition: str | None = None
    validators: tuple[str, ...] = ("etag", "last-modified")
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    def with_modified(self, modified: datetime) -> Resource:
        return Resource(
            self.body,
            self.content_type,
            modified,
            self.status,
            self.disposition,
            self.validators,
            self.headers,
        )


@dataclass(frozen=True, slots=True)
class Request:
    """An incoming request, already routed to a host."""

    method: str
    scheme: str
    host: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def params(self) -> dict[str, str]:
        """Query and form fields together (form wins), first value of each."""
        merged = {
            k: v[0] for k, v in parse_qs(self.query, keep_blank_values=True).items()
        }
        if self.body and "form-urlencoded" in self.headers.get("content-type", ""):
            form = parse_qs(
                self.body.decode("utf-8", "replace"), keep_blank_values=True
            )
            merged.update({k: v[0] for k, v in form.items()})
        return merged


Handler = Callable[[Request], Resource]


@dataclass(frozen=True, slots=True)
class DocRef:
    """A file that is part of a report, as the manifest lists it."""

    url: str
    role: str  # "page" (the article) or "attachment"
    format: str  # html | pdf | docx


DIRECTORY_INDEX = ("index.html", "index.shtml", "index.htm")


@dataclass(slots=True)
class Site:
    """A replica host: static resources by path, endpoints by path, its report files.

    ``stores`` hold the resources that endpoints serve by parameter (downfile.jsp by
    ``filename``, xxgkAnnualReport.jsp by unit and year), so that the catalog can
    stamp their Last-Modified like any static file.
    """

    host: str
    scheme: str
    family: str
    resources: dict[str, Resource] = field(default_factory=dict)
    handlers: dict[str, Handler] = field(default_factory=dict)
    documents: dict[str, list[DocRef]] = field(default_factory=dict)
    stores: dict[str, dict[str, Resource]] = field(default_factory=dict)
    not_found: Resource | None = None

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}{path}"

    def add(self, path: str, resource: Resource) -> str:
        """Serve ``resource`` at ``path``; return its full URL."""
        if path in self.resources and self.resources[path].body != resource.body:
            raise ValueError(f"{self.host}: two different resources at {path}")
        self.resources[path] = resource
        return self.url(path)

    def respond(self, request: Request) -> Resource:
        """The resource for a request: an endpoint, a static path, or this site's 404."""
        handler = self.handlers.get(request.path)
        if handler is not None:
            return handler(request)
        resource = self.resources.get(request.path)
        if request.path.endswith("/"):  # a folder: its index, as web servers serve it
            indexes = (request.path + name for name in DIRECTORY_INDEX)
            resource = next(
                (self.resources[p] for p in indexes if p in self.resources), resource
            )
        if resource is None:
            return self.not_found or Resource(
                b"Not Found", "text/plain", datetime(2020, 1, 1), status=404
            )
        if request.method not in ("GET", "HEAD"):
            return Resource(
                b"Method Not Allowed", "text/plain", resource.modified, status=405
            )
        return resource

    def fetch(self, url: str) -> Resource:
        """The resource a plain GET of ``url`` returns (for the manifest and tests)."""
        rest = url.split("://", 1)[1]
        path_query = rest[len(self.host) :] or "/"
        path, _, query = path_query.partition("?")
        return self.respond(Request("GET", self.scheme, self.host, path, query))
