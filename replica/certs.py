"""The replica's TLS certificate for the HTTPS hosts it stands in for.

Self-signed (no CA); clients of the replica don't verify it, exactly as crawlers
of Chinese government sites don't (many real hosts have bad certificates).
"""

from __future__ import annotations

import ssl
import tempfile
from datetime import datetime
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@cache
def certificate_pem(hosts: tuple[str, ...]) -> tuple[bytes, bytes]:
    """(certificate, private key) in PEM for ``hosts``; made once per process."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nianbao replica")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2020, 1, 1))
        .not_valid_after(datetime(2040, 1, 1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@cache
def tls_context(hosts: tuple[str, ...]) -> ssl.SSLContext:
    """A server-side TLS context presenting the replica certificate."""
    cert, key = certificate_pem(hosts)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory(prefix="nianbao-replica-tls-") as tmp:
        folder = Path(tmp)  # ssl can only load a key from a file
        (folder / "cert.pem").write_bytes(cert)
        (folder / "key.pem").write_bytes(key)
        context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context
