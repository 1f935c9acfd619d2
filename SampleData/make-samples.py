#!/usr/bin/env python3
"""Regenerates the SampleData upload files (CSRs and imported legacy certificates included).

Developer tool, not run by the tests: keys are made fresh each run and thrown away, so the CSRs
and certificates change, while the line contents and their expected results (*.expected) do not.
Requires Python's `cryptography` package.
"""
import datetime, os, random
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa, ec

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261121)
ATTR = {"CN": NameOID.COMMON_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME, "O": NameOID.ORGANIZATION_NAME,
        "L": NameOID.LOCALITY_NAME, "ST": NameOID.STATE_OR_PROVINCE_NAME, "C": NameOID.COUNTRY_NAME}
DN_KEYS = ("CN=", "OU=", "O=", "L=", "ST=", "C=")


def split_dn(dn):
    parts, cur = [], ""
    i = 0
    while i < len(dn):
        if dn[i] == "," and any(dn.startswith(k, i + 1) for k in DN_KEYS):
            parts.append(cur); cur = ""; i += 1; continue
        cur += dn[i]; i += 1
    parts.append(cur)
    return [p.split("=", 1) for p in parts]


def name(dn, reverse=True):
    attrs = [x509.NameAttribute(ATTR[k], v) for k, v in split_dn(dn)]
    # CSR subjects are written C first (the usual OpenSSL order); the rule accepts either order.
    return x509.Name(list(reversed(attrs)) if reverse else attrs)


def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key(curve):
    return ec.generate_private_key(curve)


def csr(dn, key):
    req = x509.CertificateSigningRequestBuilder().subject_name(name(dn)).sign(key, hashes.SHA256())
    der = req.public_bytes(serialization.Encoding.DER)
    import base64
    return base64.b64encode(der).decode()


CA_KEY = ec_key(ec.SECP256R1())
CA_NAME = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                     x509.NameAttribute(NameOID.ORGANIZATION_NAME, "BulkRA Sample Legacy CA (TEST ONLY)"),
                     x509.NameAttribute(NameOID.COMMON_NAME, "BulkRA Sample Legacy CA (TEST ONLY)")])


def certificate(dn, key, serial):
    start = datetime.datetime(2026, 1, 10, 0, 0, 0, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name(dn, reverse=False)).issuer_name(CA_NAME)
            .public_key(key.public_key()).serial_number(serial).not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=198) - datetime.timedelta(seconds=1))
            .sign(CA_KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def write(path, lines, encoding="utf-8", newline="\n", bom=False, final_newline=True):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    text = newline.join(lines) + (newline if final_newline else "")
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    with open(full, "wb") as f:
        f.write(data)


def row(*cols, n=13):
    cols = list(cols) + [""] * (n - len(cols))
    return "\t".join(cols)


EX = "O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"
ST = "O=Sample Institute of Technology,L=Kyoto,ST=Kyoto,C=JP"

# ---------------------------------------------------------------- institutions (14 columns)
write("institutions/institutions-valid.tsv", [
    "\t".join(["1", "example-u", "例示大学", "Example University", "Tokyo", "Chiyoda-ku", "example.ac.jp", "国立 太郎",
               "head@example.ac.jp", "登録 花子", "Hanako Toroku", "ra1@example.ac.jp", "1", ""]),
    "\t".join(["1", "example-u", "例示大学", "Example University", "Tokyo", "Chiyoda-ku", "example-lab.jp", "国立 太郎",
               "head@example.ac.jp", "申請 次郎", "Jiro Shinsei", "ra2@example.ac.jp", "1", "研究所のドメイン担当"]),
    "\t".join(["1", "sample-tech", "見本工業大学", "Sample Institute of Technology", "Kyoto", "Kyoto", "sample-tech.ac.jp",
               "見本 一郎", "president@sample-tech.ac.jp", "担当 三郎", "Saburo Tanto", "ra@sample-tech.ac.jp", "1", ""]),
    "\t".join(["1", "closed-u", "閉鎖大学", "Closed University", "Osaka", "Osaka", "closed-u.ac.jp", "閉鎖 四郎",
               "head@closed-u.ac.jp", "担当 五郎", "Goro Tanto", "ra@closed-u.ac.jp", "0", "サービス利用期間終了"]),
], encoding="cp932", newline="\r\n")
write("institutions/institutions-invalid.tsv", [
    "\t".join(["1", "north-u", "北大学", "North University", "Hokkaido", "Academe", "north-u.ac.jp", "北 一", "head@north-u.ac.jp",
               "北 二", "Ni Kita", "ra@north-u.ac.jp", "1", ""]),
    "\t".join(["1", "east-u", "東大学", "East University", "Chiba", "Chiba", "example.ac.jp", "東 一", "head@east-u.ac.jp",
               "東 二", "Ni Higashi", "ra@east-u.ac.jp", "1", ""]),
    "\t".join(["1", "west-u", "西大学", "West University", "Hyogo", "Kobe", "west-u.ac.jp", "西 一", "head@west-u.ac.jp",
               "西 ①", "Ni Nishi", "ra@west-u.ac.jp", "1", ""]),
    "\t".join(["1", "south-u", "南大学", "South University", "Fukuoka", "Fukuoka", "south-u.ac.jp", "南 一", "head@south-u.ac.jp",
               "南 二", "Ni Minami", "ra@south-u.ac.jp", "2", ""]),
    "\t".join(["1", "short-u", "短大学", "Short University", "Nara", "Nara", "short-u.ac.jp", "短 一", "head@short-u.ac.jp",
               "短 二", "Ni Mijika", "ra@short-u.ac.jp", "1"]),
    "\t".join(["2", "nowhere-u", "無大学", "Nowhere University", "Nara", "Nara", "nowhere-u.ac.jp", "無 一", "head@nowhere-u.ac.jp",
               "無 二", "Ni Nai", "ra@nowhere-u.ac.jp", "1", ""]),
    "\t".join(["1", "west-u", "西大学", "West University", "Osaka", "Kobe", "west-lab.jp", "西 一", "head@west-u.ac.jp",
               "西 三", "San Nishi", "ra3@west-u.ac.jp", "1", ""]),
    "\t".join(["1", "mail-u", "郵大学", "Mail University", "Gifu", "Gifu", "mail-u.ac.jp", "郵 一", "head@@mail-u.ac.jp",
               "郵 二", "Ni Yu", "ra@mail-u.ac.jp", "1", ""]),
    "\t".join(["1", "example-u", "例示大学", "Example University", "Tokyo", "Chiyoda-ku", "example.ac.jp", "国立 太郎",
               "head@example.ac.jp", "登録 花子", "Hanako Toroku", "ra1@example.ac.jp", "1", ""]),
], encoding="utf-8", newline="\n")

# ---------------------------------------------------------------- allow list (2 columns)
write("allowlist/allowlist-valid.tsv", [
    "ドメイン\tOU",
    "example.ac.jp\tFaculty of Science",
    "example.ac.jp\tGraduate School of Engineering",
    "example-lab.jp\tResearch Center for Data Science",
], encoding="cp932", newline="\r\n")
write("allowlist/allowlist-invalid.tsv", [
    "example.ac.jp\tA",
    "example.ac.jp\t12345",
    "unknown-domain.jp\tLaboratory",
    "example.ac.jp\tFaculty of Science",
    "example.ac.jp\tDept@Physics",
    "example.ac.jp\tLibrary\textra",
    "example.ac.jp\tMedical School",
    "example.ac.jp\tMedical School",
], encoding="utf-8", newline="\n")

# ---------------------------------------------------------------- legacy certificates to import
www_key = rsa_key()
serial_www = 0x5F3A9C0E2B7D4A61908F1E2D3C4B5A69
serial_old = 0x2C7E4D1A9B3F5E60718293A4B5C6D7E8
serial_taro = 0x7A1B2C3D4E5F60718293A4B5C6D7E8F9
serial_smime = 0x1E2D3C4B5A69788796A5B4C3D2E1F001
serial_tech = 0x3B4C5D6E7F8091A2B3C4D5E6F7081929
legacy = [
    certificate(f"CN=www.example.ac.jp,{EX}", www_key, serial_www),
    certificate(f"CN=old.example.ac.jp,{EX}", rsa_key(), serial_old),
]
write("existing/example-u-server.pem", "".join(legacy[:1]).splitlines())
write("existing/example-u-server-revoked.pem", "".join(legacy[1:]).splitlines())
write("existing/example-u-client.pem", (certificate(f"CN=Taro Yamada,OU=Faculty of Science,{EX}", rsa_key(), serial_taro)
                                         + certificate(f"CN=hanako.kato@example.ac.jp,{EX}", rsa_key(), serial_smime)).splitlines())
write("existing/sample-tech-server.pem", certificate(f"CN=www.sample-tech.ac.jp,{ST}", rsa_key(), serial_tech).splitlines())

# ---------------------------------------------------------------- server (13 columns)
adm = ("管理 太郎", "情報基盤センター", "admin@example.ac.jp")
dn1 = f"CN=mail.example.ac.jp,{EX}"
dn2 = f"CN=WEB.Example.ac.jp,{EX}"
dn3 = f"CN=portal.example-lab.jp,{EX}"
write("server/issue-valid.tsv", [
    row(dn1, "3", "", "", "", "", csr(dn1, rsa_key()), *adm, "mail.example.ac.jp", "Postfix 3.7",
        "dNSName=mail.example.ac.jp,dNSName=smtp.example.ac.jp"),
    row(dn2, "11", "", "", "", "", csr(dn2, ec_key(ec.SECP384R1())), "", "", "admin@example.ac.jp", "web.example.ac.jp",
        "nginx 1.24"),
    row(dn3, "3", "", "", "", "", csr(dn3, rsa_key()), "研究 三郎", "データ科学研究センター", "lab-admin@example-lab.jp",
        "portal.example-lab.jp", "Apache 2.4", "dNSName=portal.example-lab.jp"),
], encoding="cp932", newline="\r\n")

def server_line(dn, fqdn, key=None, profile="3", dns="", software="Apache 2.4", admin=adm, csr_dn=None, **kw):
    key = key or rsa_key()
    body = kw.get("csr_text") or csr(csr_dn or dn, key)
    cols = [dn, profile, "", kw.get("serial", ""), kw.get("reason", ""), "", body, *admin, fqdn, software, dns]
    return "\t".join(cols)

many = ",".join(f"dNSName=h{i}.example.ac.jp" for i in range(1, 9))
write("server/issue-invalid.tsv", [
    server_line(f"CN=ou.example.ac.jp,OU=Faculty of Science,{EX}", "ou.example.ac.jp"),                       # 1: 234
    server_line(f"CN=www.example.ac.jp,{EX}", "www.example.ac.jp"),                                          # 2: 212
    server_line("CN=lab.example.ac.jp,O=Example University,L=Academe,ST=Tokyo,C=JP", "lab.example.ac.jp"),    # 3: 226
    server_line("CN=app.example.ac.jp,O=Example Univ,L=Chiyoda-ku,ST=Tokyo,C=JP", "app.example.ac.jp"),      # 4: 225
    server_line(f"CN=api.example.ac.jp,{EX}", "apis.example.ac.jp"),                                         # 5: 220
    server_line(f"CN=www.other-univ.jp,{EX}", "www.other-univ.jp"),                                          # 6: 221
    server_line(f"CN=vpn.example.ac.jp,{EX}", "vpn.example.ac.jp", profile="5"),                             # 7: 228
    server_line(f"CN=ec.example.ac.jp,{EX}", "ec.example.ac.jp", key=ec_key(ec.SECP384R1())),                # 8: 218
    server_line(f"CN=bad.example.ac.jp,{EX}", "bad.example.ac.jp", csr_text="MIIBnotAcsr"),                  # 9: 216
    server_line(f"CN=mismatch.example.ac.jp,{EX}", "mismatch.example.ac.jp",
                csr_dn=f"CN=other.example.ac.jp,{EX}"),                                                       # 10: 217
    server_line(f"CN=many.example.ac.jp,{EX}", "many.example.ac.jp", dns=many),                              # 11: 227
    server_line(f"CN=reason.example.ac.jp,{EX}", "reason.example.ac.jp", reason="4"),                        # 12: 232
    "\t".join(server_line(f"CN=short.example.ac.jp,{EX}", "short.example.ac.jp").split("\t")[:12]),         # 13: 224
    server_line(f"CN=dup.example.ac.jp,{EX}", "dup.example.ac.jp"),                                          # 14: OK
    server_line(f"CN=dup.example.ac.jp,{EX}", "dup.example.ac.jp"),                                          # 15: 230
    server_line(f"CN=mailbad.example.ac.jp,{EX}", "mailbad.example.ac.jp",
                admin=("管理 太郎", "情報基盤センター", "admin@@example.ac.jp")),                              # 16: 206
    server_line(f"CN=sw.example.ac.jp,{EX}", "sw.example.ac.jp", software="Apache ①"),                      # 17: 205
    server_line(f"CN=noadmin.example.ac.jp,{EX}", "noadmin.example.ac.jp", admin=("", "", "")),              # 18: 201
    server_line(f"CN=*.example.ac.jp,{EX}", "*.example.ac.jp"),                                              # 19: 206 (DN) + 206 (FQDN)
    server_line(f"CN=long.example.ac.jp,{EX}", "long.example.ac.jp", software="Apache " + "x" * 122),          # 20: 202
], encoding="utf-8", newline="\n")

new_www = f"CN=www.example.ac.jp,{EX}"
renew_admin = ("管理 太郎", "情報基盤センター", "admin@example.ac.jp")
write("server/renew-valid.tsv", [
    server_line(new_www, "www.example.ac.jp", serial=str(serial_www), admin=renew_admin, software="Apache 2.4.62"),
    server_line(f"CN=old.example.ac.jp,{EX}", "old.example.ac.jp", serial=hex(serial_old), admin=renew_admin),   # hex serial
], encoding="cp932", newline="\r\n", final_newline=False)
write("server/renew-invalid.tsv", [
    server_line(new_www, "www.example.ac.jp", key=www_key, serial=str(serial_www), admin=renew_admin),       # 1: 219
    server_line(f"CN=www.sample-tech.ac.jp,{EX}", "www.sample-tech.ac.jp", serial=str(serial_tech), admin=renew_admin),  # 2: 222 + 221
    server_line(f"CN=mail.example.ac.jp,{EX}", "mail.example.ac.jp", serial="12AB", admin=renew_admin),      # 3: 204
    server_line(f"CN=host.example.ac.jp,{EX}", "host.example.ac.jp", serial="4242", admin=("", "", "admin@example.ac.jp")),  # 4: 201 x2 + 222
], encoding="utf-8", newline="\n")

def revoke_line(dn, serial, reason, comment="", mail="admin@example.ac.jp"):
    return "\t".join([dn, "", "", serial, reason, comment, "", "", "", mail, "", "", ""])

write("server/revoke-valid.tsv", [
    revoke_line(new_www, str(serial_www), "4", "更新済みのため"),
], encoding="cp932", newline="\r\n")
write("server/revoke-invalid.tsv", [
    revoke_line(f"CN=old.example.ac.jp,{EX}", str(serial_old), "1"),                                        # 1: 223
    revoke_line(new_www, str(serial_www), "0"),                                                              # 2: 229
    revoke_line(new_www, str(serial_www), "2"),                                                              # 3: 231 + 230
    revoke_line(f"CN=web.example.ac.jp,{EX}", str(serial_old), "5"),                                        # 4: 222 + 223 + 230 (serial of line 1 again)
    revoke_line(new_www, "99999999999999999999", "4"),                                                       # 5: 222
], encoding="utf-8", newline="\n")

# ---------------------------------------------------------------- client (15 columns)
cadm = ("管理 次郎", "情報基盤センター", "cadmin@example.ac.jp")

def client_line(dn, profile, method, user_name, p12, user_aff, user_mail, pin="", serial="", admin=cadm, n=15):
    cols = [dn, profile, method, serial, "", "", "", *admin, user_name, p12, user_aff, user_mail, pin]
    return "\t".join(cols[:n])

write("client/issue-valid.tsv", [
    client_line(f"CN=Hanako Suzuki,OU=Faculty of Science,{EX}", "14", "1", "鈴木 花子", "NIIcert20261121-000001", "理学部",
                "hanako.suzuki@example.ac.jp"),
    client_line(f"CN=ichiro.sato@example.ac.jp,{EX}", "16", "2", "佐藤 一郎", "NIIcert20261121-000002", "工学研究科",
                "ichiro.sato@example.ac.jp", pin="Pin-2026-abcdefgh"),
    client_line(f"CN=Jiro Tanaka (No 3),O=Example University,L=Chiyoda-ku,C=JP", "5", "3", "田中 次郎", "", "附属図書館",
                "jiro.tanaka@example.ac.jp", n=14),
    client_line(f"CN=Kyoko Ito,OU=Research Center for Data Science,{EX}", "13", "1", "伊藤 京子", "NIIcert20261121-000004",
                "データ科学研究センター", "kyoko.ito@example-lab.jp"),
], encoding="utf-8", newline="\r\n", bom=True)
write("client/issue-invalid.tsv", [
    client_line(f"CN=jiro.sato@example.ac.jp,{EX}", "16", "1", "佐藤 二郎", "p12-001", "工学部", "jiro.satou@example.ac.jp"),   # 1: 233
    client_line(f"CN=Saburo Kimura,OU=Faculty of Letters,{EX}", "14", "1", "木村 三郎", "p12-002", "文学部",
                "saburo.kimura@example.ac.jp"),                                                                          # 2: 371
    client_line(f"CN=Shiro Takahashi,{EX}", "14", "1", "髙橋 四郎", "p12-003", "理学部", "shiro.takahashi@example.ac.jp"),   # 3: 205 (髙)
    client_line(f"CN=Goro Nakamura,{EX}", "14", "1", "中村 五郎", "p12-004", "ｼﾞｮｳﾎｳ", "goro.nakamura@example.ac.jp"),    # 4: 205 (kana)
    client_line(f"CN=Rokuro Kobayashi,{EX}", "14", "4", "小林 六郎", "p12-005", "理学部", "rokuro.kobayashi@example.ac.jp"),  # 5: 231
    client_line(f"CN=Nanami Kato,{EX}", "3", "1", "加藤 七海", "p12-006", "理学部", "nanami.kato@example.ac.jp"),            # 6: 228
    client_line(f"CN=Taro Yamada,OU=Faculty of Science,{EX}", "14", "1", "山田 太郎", "p12-007", "理学部",
                "taro.yamada@example.ac.jp"),                                                                            # 7: 212
    client_line("CN=someone@gmail.com,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP", "15", "1", "外部 八郎", "p12-008",
                "学外", "someone@gmail.com"),                                                                            # 8: 221
    client_line(f"CN=Kyuta Yoshida,{EX}", "14", "1", "吉田 九太", "p12-009", "理学部", "kyuta.yoshida@example.ac.jp",
                pin="short"),                                                                                            # 9: 205
    client_line(f"CN=Ju Yamamoto,{EX}", "14", "2", "山本 十", "bulk-010", "理学部", "ju.yamamoto@example.ac.jp"),           # 10: OK
    client_line(f"CN=Juichi Mori,{EX}", "14", "2", "森 十一", "bulk-010", "理学部", "juichi.mori@example.ac.jp"),           # 11: 230
    client_line("CN=Juni Ikeda,O=Example University,C=JP", "14", "1", "池田 十二", "p12-012", "理学部",
                "juni.ikeda@example.ac.jp"),                                                                             # 12: 206
    client_line(f"CN=Jusan Abe,{EX}", "14", "1", "阿部\x07十三", "p12-013", "理学部", "jusan.abe@example.ac.jp"),          # 13: 205 (BEL)
], encoding="cp932", newline="\n")

write("client/renew-valid.tsv", [
    client_line(f"CN=Taro Yamada,OU=Faculty of Science,{EX}", "14", "1", "山田 太郎", "NIIcert20261121-000101", "理学部",
                "taro.yamada@example.ac.jp", serial=str(serial_taro)),
], encoding="cp932", newline="\r\n")
write("client/revoke-valid.tsv", [
    "\t".join([f"CN=hanako.kato@example.ac.jp,{EX}", "", "", str(serial_smime), "3", "退職のため", "", "", "",
               "cadmin@example.ac.jp", "", "", "", "hanako.kato@example.ac.jp", ""]),
], encoding="utf-8", newline="\n")
write("client/revoke-invalid.tsv", [
    "\t".join([f"CN=hanako.kato@example.ac.jp,{EX}", "16", "", str(serial_smime), "3", "", "", "", "",
               "cadmin@example.ac.jp", "", "", "", "hanako.kato@example.ac.jp", ""]),                                   # 1: 232
    "\t".join([f"CN=Taro Yamada,{EX}", "", "", str(serial_taro), "4", "", "", "", "", "", "", "", "", "", ""]),        # 2: 222
    "\t".join([f"CN=Taro Yamada,OU=Faculty of Science,{EX}", "", "", str(serial_taro), "1", "", "2020/01/01 09:00",
               "", "", "", "", "", "", "", ""]),                                                                       # 3: 230 + 235 (past)
    "\t".join([f"CN=Taro Yamada,OU=Faculty of Science,{EX}", "", "", str(serial_taro), "1", "", "2027/13/01 09:00",
               "", "", "", "", "", "", "", ""]),                                                                       # 4: 230 + 206 (no month 13)
], encoding="utf-8", newline="\n")

# ---------------------------------------------------------------- code signing (13 columns)
cs_dn = f"CN=Example University Research Software,{EX}"
def cs_line(dn, key, profile="8", extra=""):
    return "\t".join([dn, profile, "", "", "", "", csr(dn, key), "開発 太郎", "研究推進部", "dev-admin@example.ac.jp", extra, "", ""])

write("codesign/issue-valid.tsv", [cs_line(cs_dn, rsa_key(3072))], encoding="cp932", newline="\r\n")
write("codesign/issue-invalid.tsv", [
    cs_line(f"CN=Example University Tools,{EX}", rsa_key(2048)),                        # 1: 218
    cs_line(f"CN=Example University Apps,{EX}", rsa_key(3072), profile="3"),           # 2: 228
    cs_line(f"CN=Example University Drivers,{EX}", rsa_key(3072), extra="x"),          # 3: 232
], encoding="utf-8", newline="\n")

# ---------------------------------------------------------------- user-administrator update (13 columns)
def admin_line(dn, serial, name, aff, mail, col2=""):
    return "\t".join([dn, col2, "", serial, "", "", "", name, aff, mail, "", "", ""])

write("admin/update-valid.tsv", [
    admin_line(new_www, str(serial_www), "後任 一郎", "情報基盤センター", "new-admin@example.ac.jp"),
    admin_line(f"CN=Taro Yamada,OU=Faculty of Science,{EX}", str(serial_taro), "管理 次郎", "理学部事務", "sci-admin@example.ac.jp"),
], encoding="cp932", newline="\r\n")
write("admin/update-invalid.tsv", [
    admin_line(new_www, "123456789", "後任 一郎", "情報基盤センター", "new-admin@example.ac.jp"),           # 1: 222
    admin_line(f"CN=web.example.ac.jp,{EX}", str(serial_www), "後任 一郎", "情報基盤センター", "x@example.ac.jp"),  # 2: 222
    admin_line(f"CN=old.example.ac.jp,{EX}", str(serial_old), "後任 一郎", "情報基盤センター", "x@example"),   # 3: 206
    admin_line(f"CN=Taro Yamada,OU=Faculty of Science,{EX}", str(serial_taro), "後任", "所属", "y@example.ac.jp", col2="14"),  # 4: 232
], encoding="utf-8", newline="\n")

# ---------------------------------------------------------------- ACME (13 columns; Specs/acme-tsv.md)
acme_admin = ("サーバ 管理者", "情報基盤センター", "admin@example.ac.jp")

def acme_line(dn, fqdn, profile="3", account="", dns="", admin=acme_admin, software="nginx 1.26", col7=""):
    return "\t".join([dn, profile, account, "", "", "", col7, *admin, fqdn, software, dns])

def acme_suspend(dn, account, reason, comment="", mail=""):
    return "\t".join([dn, "", account, "", reason, comment, "", "", "", mail, "", "", ""])

write("acme/issue-valid.tsv", [
    acme_line(f"CN=acme.example.ac.jp,{EX}", "acme.example.ac.jp", dns="dNSName=acme.example.ac.jp,dNSName=acme2.example.ac.jp"),
    acme_line(f"CN=lab.example-lab.jp,{EX}", "lab.example-lab.jp", profile="11"),
], encoding="cp932", newline="\r\n")
write("acme/issue-invalid.tsv", [
    acme_line(f"CN=ou.example.ac.jp,OU=Center,{EX}", "ou.example.ac.jp"),                                   # 1: 234
    acme_line(f"CN=p5.example.ac.jp,{EX}", "p5.example.ac.jp", profile="5"),                                 # 2: 228
    acme_line(f"CN=many.example.ac.jp,{EX}", "many.example.ac.jp",
              dns=",".join(f"dNSName=h{i}.example.ac.jp" for i in range(1, 9))),                             # 3: 227 (9 with the CN)
    acme_line(f"CN=www.sample-tech.ac.jp,{EX}", "www.sample-tech.ac.jp"),                                    # 4: 221
    acme_line(f"CN=csr.example.ac.jp,{EX}", "csr.example.ac.jp", col7="MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"),  # 5: 232
    acme_line(f"CN=cn.example.ac.jp,{EX}", "other.example.ac.jp"),                                           # 6: 220
    acme_line(f"CN=acme.example.ac.jp,{EX}", "acme.example.ac.jp"),                                          # 7: OK
    acme_line(f"CN=ACME.example.ac.jp,{EX}", "acme.example.ac.jp"),                                          # 8: 230 (CN folded)
    acme_line(f"CN=col3.example.ac.jp,{EX}", "col3.example.ac.jp", account="AAAAAAAAAAAAAAAAAAAAAA"),       # 9: 232
], encoding="utf-8", newline="\n")
write("acme/suspend-invalid.tsv", [
    acme_suspend(f"CN=acme.example.ac.jp,{EX}", "https://bulkra.example.ac.jp/acme/acct/AAAAAAAAAAAAAAAAAAAAAA", "5"),  # 1: 241
    acme_suspend(f"CN=acme.example.ac.jp,{EX}", "not an id", "5"),                                           # 2: 206
    acme_suspend(f"CN=acme.example.ac.jp,{EX}", "", "0"),                                                    # 3: 201 229
], encoding="cp932", newline="\r\n")
write("acme/revoke-invalid.tsv", [
    revoke_line(new_www, str(serial_www), "4", "更新済みのため"),                                              # 1: 244 (not from ACME)
    revoke_line(new_www, "99999999999999999999", "4"),                                                       # 2: 222
], encoding="utf-8", newline="\n")

# ---------------------------------------------------------------- file-level cases
with open(os.path.join(HERE, "files/bad-encoding.tsv"), "wb") if os.makedirs(os.path.join(HERE, "files"), exist_ok=True) is None else None as f:
    f.write(("CN=a.example.ac.jp," + EX + "\t3\t").encode() + b"\x82\xff" + b"\r\n")
open(os.path.join(HERE, "files/empty.tsv"), "wb").close()
write("files/request.csv", [server_line(f"CN=csv.example.ac.jp,{EX}", "csv.example.ac.jp")])
write("files/closed-institution.tsv", [server_line(f"CN=www.closed-u.ac.jp,O=Closed University,L=Osaka,ST=Osaka,C=JP",
                                                   "www.closed-u.ac.jp")])
write("files/three-lines.tsv", [server_line(f"CN=t{i}.example.ac.jp,{EX}", f"t{i}.example.ac.jp") for i in range(1, 4)])
print("samples written")
