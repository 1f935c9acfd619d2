"""The bench's peer (issue 18, Specs/performance.md PERF-01): what an institution would write instead of BulkRA.

Reads a server-issue TSV (13 columns, column 7 the CSR as one line of base64 DER), checks each request's
self-signature, and issues the same server certificate BulkRA issues (subject from column 1, the dNSNames of
column 13 and the CN, key usage, serverAuth, CRL distribution point, AIA, the OV policy, 128-bit random serial)
with the CA key, writing one PEM file per certificate. Two worker processes, as on the bench's two cores.

usage: peer_issuer.py TSV CA_CERT CA_KEY OUT_DIR [PROCESSES]
prints: "peer: N certificates in S s"
"""
import base64
import datetime
import multiprocessing
import os
import sys
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_ca = None


def _load(ca_cert, ca_key):
    global _ca
    with open(ca_cert, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(ca_key, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    _ca = (cert, key)


_ATTRIBUTES = {"CN": NameOID.COMMON_NAME, "O": NameOID.ORGANIZATION_NAME, "L": NameOID.LOCALITY_NAME,
               "ST": NameOID.STATE_OR_PROVINCE_NAME, "C": NameOID.COUNTRY_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME}


def _issue(job):
    number, line, out = job
    cert, key = _ca
    fields = line.split("\t")
    csr = x509.load_der_x509_csr(base64.b64decode(fields[6]))
    if not csr.is_signature_valid:
        return None
    pairs = [part.split("=", 1) for part in fields[0].split(",")]
    subject = x509.Name([x509.NameAttribute(_ATTRIBUTES[name], value) for name, value in reversed(pairs)])
    names = [fields[10]] + [entry.split("=", 1)[1] for entry in fields[12].split(",") if entry and entry.split("=", 1)[1] != fields[10]]
    now = datetime.datetime.now(datetime.timezone.utc)
    algorithm = hashes.SHA256()
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(cert.subject).public_key(csr.public_key())
               .serial_number(int.from_bytes(os.urandom(16), "big") >> 1)
               .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=198))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(cert.public_key()), critical=False)
               .add_extension(x509.AuthorityInformationAccess([
                   x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier("http://127.0.0.1:8480/ocsp")),
                   x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier("http://127.0.0.1:8480/ca/server.cer"))]),
                   critical=False)
               .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                   full_name=[x509.UniformResourceIdentifier("http://127.0.0.1:8480/crl/server.crl")], relative_name=None, reasons=None, crl_issuer=None)]),
                   critical=False)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False),
                              critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
               .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
               .add_extension(x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier("2.23.140.1.2.2"), None)]), critical=False))
    issued = builder.sign(key, algorithm)
    with open(os.path.join(out, "%d.pem" % number), "wb") as f:
        f.write(issued.public_bytes(serialization.Encoding.PEM))
    return number


def main():
    tsv, ca_cert, ca_key, out = sys.argv[1:5]
    processes = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    os.makedirs(out, exist_ok=True)
    started = time.monotonic()
    with open(tsv, encoding="utf-8-sig", newline="") as f:
        lines = [line for line in f.read().split("\r\n") if line]
    with multiprocessing.Pool(processes, initializer=_load, initargs=(ca_cert, ca_key)) as pool:
        done = [n for n in pool.imap_unordered(_issue, ((i + 1, l, out) for i, l in enumerate(lines)), chunksize=64) if n]
    print("peer: %d certificates in %.3f s" % (len(done), time.monotonic() - started))


if __name__ == "__main__":
    main()
