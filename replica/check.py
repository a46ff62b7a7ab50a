"""Fetch every file of the manifest through a running replica and compare hashes."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from replica.catalog import catalog
from replica.client import fetch


@dataclass(slots=True)
class CheckResult:
    """How many reports and files the replica served correctly."""

    reports: int = 0
    files: int = 0
    sites: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and self.files > 0

    def summary(self) -> str:
        per_site = ", ".join(f"{site} {n}" for site, n in sorted(self.sites.items()))
        lines = [
            f"replica check: {self.reports} reports, {self.files} files ({per_site})"
        ]
        lines += [f"  FAILED {line}" for line in self.failures]
        lines.append(
            "replica check: all files served with status 200 and the manifest's SHA-256"
            if self.ok
            else f"replica check: {len(self.failures)} failures"
        )
        return "\n".join(lines)


def check_replica(proxy: str, epoch: int) -> CheckResult:
    """Fetch each manifest file of night ``epoch`` through ``proxy``."""
    result = CheckResult()
    for entry in catalog(epoch).manifest():
        result.reports += 1
        result.sites[entry["site"]] += 1
        for item in entry["files"]:
            result.files += 1
            got = fetch(proxy, item["url"])
            digest = hashlib.sha256(got.body).hexdigest()
            if got.status != 200 or digest != item["sha256"]:
                result.failures.append(
                    f"{item['url']}: status {got.status}, sha256 {digest[:12]}"
                )
    return result
