#!/usr/bin/env python3
"""`make test-browser`: the officers' web desk in headless Chromium (Debian's package), driven by Playwright.

A fresh data folder gets the demo (SampleData/demo.sh); `bulkra serve` listens on a free loopback port;
Chromium trusts only the data folder's test root (an NSS database in a private HOME) and logs in with an
officer's PKCS#12 and its PIN. Every step names the rule it shows (Specs/desk.md) and saves a screenshot
to build/screenshots/. Exit status 0 only when every step passed.
"""
import argparse
import base64
import email
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import traceback
import zipfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

RA1 = "ra1@example.ac.jp"       # example-u, domain example.ac.jp
TECH = "ra@sample-tech.ac.jp"   # sample-tech, another institution
SUBJECT_TAIL = "O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"


def run(arguments, **options):
    return subprocess.run(arguments, check=True, capture_output=True, text=True, **options)


class Desk:
    """`bulkra serve --port 0` on the loopback; the port is read from what it prints."""

    def __init__(self, bulkra, data, log):
        self.log = open(log, "w")
        self.process = subprocess.Popen([bulkra, "serve", "--data", str(data), "--port", "0", "--no-repository"],
                                        stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.time() + 60
        self.port = None
        self.printed = ""
        while time.time() < deadline and self.port is None:
            line = self.process.stdout.readline()
            if not line:
                break
            self.printed += line
            found = re.search(r"https://127\.0\.0\.1:(\d+)/", line)
            if found:
                self.port = int(found.group(1))
        if self.port is None:
            self.stop()
            raise RuntimeError("bulkra serve did not start:\n" + self.printed)

    @property
    def base(self):
        return f"https://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Run:
    """The steps, their outcomes and the shared state between them."""

    def __init__(self, args):
        self.bulkra = str(Path(args.bulkra).resolve())
        self.work = Path(args.work).resolve()
        self.shots = Path(args.screenshots).resolve()
        self.data = self.work / "data"
        self.files = self.work / "files"
        self.failures = []
        self.passed = 0
        self.state = {}

    def shot(self, page, name):
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def step(self, rule, title, body, *pages):
        try:
            body()
            self.passed += 1
            print(f"ok    {rule} {title}", flush=True)
        except Exception as error:  # every failure is reported; later steps still run
            self.failures.append(f"{rule} {title}: {error}")
            print(f"FAIL  {rule} {title}\n{traceback.format_exc()}", flush=True)
            for index, page in enumerate(pages):
                try:
                    page.screenshot(path=str(self.shots / f"failed-{rule}-{index}.png"), full_page=True)
                except Exception:
                    pass

    def pin(self, officer):
        return (self.data / "ra" / f"{officer}.pin.txt").read_text().strip()

    def outbox(self):
        return sorted(p.name for p in (self.data / "outbox").glob("*.eml"))

    def mail_texts(self, names):
        texts = []
        for name in names:
            message = email.message_from_bytes((self.data / "outbox" / name).read_bytes())
            parts = message.walk() if message.is_multipart() else [message]
            body = "".join((part.get_payload(decode=True) or b"").decode("utf-8", "replace") for part in parts
                           if not part.is_multipart())
            texts.append(body)
        return texts


def prepare(r):
    """A fresh data folder with the demo, a private HOME whose NSS database trusts only the test root."""
    shutil.rmtree(r.work, ignore_errors=True)
    r.files.mkdir(parents=True)
    if r.shots.exists():
        shutil.rmtree(r.shots)
    r.shots.mkdir(parents=True)
    environment = dict(os.environ, BULKRA=r.bulkra, DATA=str(r.data))
    run(["bash", "SampleData/demo.sh"], env=environment)
    home = r.work / "home"
    nss = home / ".pki" / "nssdb"
    nss.mkdir(parents=True)
    run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"])
    run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "BulkRA test root", "-t", "C,,", "-i", str(r.data / "ca" / "root.pem")])
    return home


def server_csr(r, cn, name=None):
    """A P-384 CSR for `cn` under Example University, as one line of base64 DER (profile 11); `name` names its files."""
    key, der = r.files / f"{name or cn}.key", r.files / f"{name or cn}.der"
    run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", str(key),
         "-subj", f"/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Example University/CN={cn}", "-outform", "DER", "-out", str(der)])
    return base64.b64encode(der.read_bytes()).decode()


def server_line(r, cn, fqdn=None):
    return "\t".join([f"CN={cn},{SUBJECT_TAIL}", "11", "", "", "", "", server_csr(r, cn), "管理 次郎", "情報基盤センター",
                      "admin@example.ac.jp", fqdn or cn, "nginx 1.24", ""])


def client_line(cn, method):
    user = cn.lower().replace(" ", ".")
    return "\t".join([f"CN={cn},{SUBJECT_TAIL}", "13", method, "", "", "", "", "管理 次郎", "情報基盤センター", "cadmin@example.ac.jp",
                      "利用 者", "" if method == "3" else "browser-" + cn.lower().replace(" ", "-"), "理学部", f"{user}@example.ac.jp", ""])


def write_tsv(r, name, lines):
    path = r.files / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return str(path)


def fetch(page, control, save_as=None):
    """Clicks `control`, which starts a download, and returns the file's bytes (also saved to `save_as` when given)."""
    with page.expect_download() as download:
        control.click()
    if save_as:
        download.value.save_as(save_as)
    return Path(download.value.path()).read_bytes()


def tsv_rows(data):
    """The rows of a CP932, CRLF download, split into cells."""
    return [row.split("\t") for row in data.decode("cp932").split("\r\n") if row]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bulkra", default=".build/debug/bulkra")
    parser.add_argument("--work", default="build/browser")
    parser.add_argument("--screenshots", default="build/screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    r = Run(args)
    home = prepare(r)
    desk = Desk(r.bulkra, r.data, r.work / "serve.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, env=dict(os.environ, HOME=str(home)))
            steps(r, desk, browser)
            browser.close()
    finally:
        desk.stop()
    print(f"\n{r.passed} steps passed, {len(r.failures)} failed; screenshots in {r.shots}")
    for failure in r.failures:
        print("  FAILED " + failure)
    return 1 if r.failures else 0


def officer_context(r, desk, browser, officer, **options):
    """A browser session that presents the officer's PKCS#12 (file and PIN) to the desk."""
    return browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 800},
                               client_certificates=[{"origin": desk.base, "pfxPath": str(r.data / "ra" / f"{officer}.p12"),
                                                     "passphrase": r.pin(officer)}], **options)


def steps(r, desk, browser):
    anonymous = browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 800})
    stranger = anonymous.new_page()

    def refused():
        response = stranger.goto(desk.base + "/")
        assert response.status == 403, response.status
        expect(stranger.locator("h1")).to_contain_text("ログインできません")
        expect(stranger.locator("main")).to_contain_text("クライアント証明書")
        expect(stranger.locator("main")).not_to_contain_text("例示大学")
        r.shot(stranger, "01-no-certificate")
    r.step("DESK-02", "Chromium without a certificate gets the refusal page and no officer data", refused, stranger)

    officer = officer_context(r, desk, browser, RA1)
    page = officer.new_page()

    def menu():
        response = page.goto(desk.base + "/")
        assert response.status == 200, response.status
        expect(page).to_have_title(re.compile("登録担当者メニュー"))
        expect(page.locator("header")).to_contain_text("例示大学")
        expect(page.locator("header")).to_contain_text(RA1)
        for label in ["サーバ証明書 発行・更新・失効申請", "クライアント証明書 発行・更新・失効申請", "利用管理者情報更新申請",
                      "全証明書情報一括ダウンロード", "発行証明書統計照会", "許可リストダウンロード", "タイムスタンプサービスURL"]:
            expect(page.get_by_role("link", name=label)).to_be_visible()
        r.shot(page, "02-menu")
    r.step("DESK-01", "logging in with ra1's PKCS#12 opens the menu of manual 3-3 for example-u", menu, page)

    def check_only():
        page.get_by_role("link", name="サーバ証明書 発行・更新・失効申請").click()
        expect(page.locator("h1")).to_contain_text("サーバ証明書")
        page.set_input_files("#file", write_tsv(r, "server-issue.tsv", [server_line(r, "www-browser.example.ac.jp")]))
        page.get_by_role("button", name="チェックのみ（適用しない）").click()
        expect(page.locator("p.summary")).to_contain_text("チェックのみ: 全 1 行に問題はありません。何も適用していません。")
        expect(page.locator("table.result tbody tr")).to_have_count(1)
        r.shot(page, "03-check-only")
    r.step("DESK-20", "the server screen's check-only button checks the file and applies nothing", check_only, page)

    def issue():
        page.get_by_role("link", name="申請画面へ戻る").click()
        page.set_input_files("#file", r.files / "server-issue.tsv")
        page.get_by_role("button", name="申請する").click()
        expect(page.locator("p.summary")).to_contain_text("ファイルのアップロード処理が完了しました。")
        row = page.locator("table.result tbody tr").first
        expect(row.locator("td").nth(0)).to_have_text("OK")
        serial = row.locator("td").nth(2).inner_text().strip()
        assert serial.isdigit(), serial
        r.state["serial"] = serial
        r.state["batch"] = re.search(r"/results/(\d+)", page.get_by_role("link", name=re.compile("固定URL")).get_attribute("href")).group(1)
        r.shot(page, "04-issued")
        pem = r.files / "issued.pem"
        fetch(page, row.get_by_role("link", name="証明書"), save_as=pem)
        subject = run(["openssl", "x509", "-in", str(pem), "-noout", "-subject", "-serial"]).stdout
        assert "www-browser.example.ac.jp" in subject and "Example University" in subject, subject
        assert pem.read_text().count("BEGIN CERTIFICATE") >= 2, "leaf and chain"
        names = zipfile.ZipFile(io.BytesIO(fetch(page, page.get_by_role("link", name="発行した証明書（ZIP）")))).namelist()
        assert names == [f"{serial}.pem"], names
    r.step("DESK-22", "submitting issues the certificate; the result links its PEM (leaf and chain) and the batch ZIP", issue, page)

    def errors():
        page.goto(desk.base + "/server")
        path = write_tsv(r, "server-errors.tsv", [server_line(r, "www-browser2.example.ac.jp"),
                                                  server_line(r, "www.not-registered.example.jp")])
        page.set_input_files("#file", path)
        page.get_by_label("エラーの無い行のみ処理").check()
        page.get_by_role("button", name="申請する").click()
        expect(page.locator("p.summary")).to_contain_text("OK 1 行、NG 1 行。")
        bad = page.locator("table.result tbody tr.ng")
        expect(bad).to_have_count(1)
        expect(bad.locator("th")).to_have_text("2")
        expect(bad.locator("td").nth(1)).to_contain_text("221:2,利用管理者FQDN,")
        r.state["serial2"] = page.locator("table.result tbody tr.ok td").nth(2).inner_text().strip()
        r.state["errors"] = page.get_by_role("link", name=re.compile("固定URL")).get_attribute("href")
        r.shot(page, "05-line-errors")
    r.step("DESK-22", "a file with a bad line in skip mode: the good line is issued, the bad one reads code:line,field,message", errors, page)

    def renew_and_revoke():
        page.goto(desk.base + "/server")
        cn = "www-browser.example.ac.jp"
        renewal = "\t".join([f"CN={cn},{SUBJECT_TAIL}", "11", "", r.state["serial"], "", "", server_csr(r, cn, name="renewed"), "管理 次郎",
                              "情報基盤センター", "admin@example.ac.jp", cn, "nginx 1.26", ""])
        page.get_by_label("更新", exact=True).check()
        page.set_input_files("#file", write_tsv(r, "server-renew.tsv", [renewal]))
        page.get_by_role("button", name="申請する").click()
        expect(page.locator("p.summary")).to_contain_text("OK 1 行、NG 0 行。")
        renewed = page.locator("table.result tbody tr").first.locator("td").nth(2).inner_text().strip()
        assert renewed.isdigit() and renewed != r.state["serial"], renewed
        r.state["renewed"] = renewed
        r.shot(page, "05a-renewed")
        page.goto(desk.base + "/server")
        revocation = "\t".join([f"CN=www-browser2.example.ac.jp,{SUBJECT_TAIL}", "", "", r.state["serial2"], "5", "", "", "", "", "", "",
                                 "", ""])
        page.get_by_label("失効", exact=True).check()
        page.set_input_files("#file", write_tsv(r, "server-revoke.tsv", [revocation]))
        page.get_by_role("button", name="申請する").click()
        expect(page.locator("p.summary")).to_contain_text("OK 1 行、NG 0 行。")
        r.shot(page, "05b-revoked")
        page.goto(desk.base + "/server")
        rows = tsv_rows(fetch(page, page.get_by_role("link", name="証明書情報ダウンロード（TSV）")))
        assert rows and all(len(row) == 46 for row in rows), "46 columns"
        by_serial = {cell: row for row in rows for cell in row if cell in (r.state["serial"], r.state["renewed"], r.state["serial2"])}
        assert set(by_serial) == {r.state["serial"], r.state["renewed"], r.state["serial2"]}, sorted(by_serial)
        assert not any("Browser User" in "\t".join(row) for row in rows), "server download holds server certificates only"
    r.step("DESK-20", "the server screen renews (new serial) and revokes; its certificate-information download lists all three", renew_and_revoke, page)

    def english():
        page.goto(desk.base + r.state["errors"])
        expect(page.locator("table.result")).to_contain_text("221:2,利用管理者FQDN,")
        page.get_by_role("link", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("table.result")).to_contain_text("221:2,server FQDN,")
        page.get_by_role("link", name="Menu").click()
        expect(page.get_by_role("link", name=re.compile("Server certificates"))).to_be_visible()
        assert "lang=en" in page.url, page.url
        r.shot(page, "06-english")
        page.get_by_role("link", name="日本語").click()
        expect(page.locator("html")).to_have_attribute("lang", "ja")
    r.step("DESK-31", "English is one link away and the links keep the language", english, page)

    def client_upload():
        before = set(r.outbox())
        page.goto(desk.base + "/client")
        page.set_input_files("#file", write_tsv(r, "client-issue.tsv", [client_line("Browser User", "1"), client_line("Browser Enrol", "3")]))
        page.get_by_role("button", name="申請する").click()
        expect(page.locator("p.summary")).to_contain_text("OK 2 行、NG 0 行。")
        expect(page.locator("table.result")).to_contain_text("ワンタイムURL")
        r.shot(page, "07-client-result")
        mails = "\n".join(r.mail_texts(sorted(set(r.outbox()) - before)))
        for kind, pattern in [("pin", r"/pin\?p1=([A-Za-z0-9]{32})"), ("certificate", r"/certificate\?p1=([A-Za-z0-9]{32})"),
                              ("enrol", r"/enrol\?token=([A-Za-z0-9]{32})")]:
            found = re.search(pattern, mails)
            assert found, f"no {kind} link in the mails"
            r.state[kind] = found.group(0)
    r.step("DESK-40", "a client upload sends PIN, certificate and enrolment links by mail; the result says so", client_upload, page)

    def administrators():
        page.goto(desk.base + "/admin")
        expect(page.locator("h1")).to_contain_text("利用管理者情報")
        update = "\t".join([f"CN=www-browser.example.ac.jp,{SUBJECT_TAIL}", "", "", r.state["renewed"], "", "", "", "新任 管理者", "情報基盤センター",
                             "new.admin@example.ac.jp", "", "", ""])
        page.set_input_files("#file", write_tsv(r, "admin-update.tsv", [update]))
        page.get_by_role("button", name="申請する").click()
        expect(page.locator("p.summary")).to_contain_text("OK 1 行、NG 0 行。")
        r.shot(page, "07a-administrator-update")
        page.goto(desk.base + "/client")
        text = fetch(page, page.get_by_role("link", name="証明書情報ダウンロード（TSV）")).decode("cp932")
        assert "Browser User" in text and "www-browser" not in text, "client download holds client certificates only"
        page.goto(desk.base + "/")
        lines = ["\t".join(row) for row in tsv_rows(fetch(page, page.get_by_role("link", name="利用管理者情報ダウンロード")))]
        rows = [line for line in lines if r.state["renewed"] in line]
        assert rows and "new.admin@example.ac.jp" in rows[0] and "新任 管理者" in rows[0], rows
    r.step("DESK-10", "the user-administrator screen updates a certificate's administrator; the client download and the "
           "administrator list show it", administrators, page)

    visitor = anonymous.new_page()

    def links():
        response = visitor.goto(desk.base + r.state["certificate"])
        assert response.status == 409, response.status
        expect(visitor.locator("main")).to_contain_text("利用管理者がアクセスPINを取得した後")
        visitor.goto(desk.base + r.state["pin"])
        r.shot(visitor, "08-pin-link")
        archive = zipfile.ZipFile(io.BytesIO(fetch(visitor, visitor.get_by_role("button", name="取得する"))))
        assert archive.namelist() == ["pin.txt"], archive.namelist()
        rows = [row.split("\t") for row in archive.read("pin.txt").decode("cp932").split("\r\n") if row]
        assert rows[0][2] == "アクセスPIN" and len(rows) == 2 and rows[1][1] == "browser.user@example.ac.jp", rows
        pin = rows[1][2]
        visitor.goto(desk.base + r.state["certificate"])
        p12 = r.files / "user.p12"
        fetch(visitor, visitor.get_by_role("button", name="取得する"), save_as=p12)
        opened = run(["openssl", "pkcs12", "-in", str(p12), "-passin", f"pass:{pin}", "-nokeys", "-clcerts"]).stdout
        assert "Browser User" in opened, "the PKCS#12 opens with the PIN from the PIN file"
        response = visitor.goto(desk.base + r.state["pin"])
        assert response.status == 410, response.status
        expect(visitor.locator("main")).to_contain_text("このURLは既に使用されています")
        r.shot(visitor, "09-used-link")
    r.step("DESK-42", "without a certificate: the certificate link waits for the PIN, the PIN link gives the PIN file once, "
           "then the PKCS#12 opens with it", links, visitor)

    def enrol():
        visitor.goto(desk.base + r.state["enrol"])
        generate = visitor.get_by_role("button", name="ブラウザで鍵とCSRを作る（RSA 2048）")
        expect(generate).to_be_visible()
        generate.click()
        expect(visitor.locator("#csr")).to_have_value(re.compile("BEGIN CERTIFICATE REQUEST"), timeout=30000)
        expect(visitor.locator("#key")).to_be_visible()
        key = r.files / "enrol.key"
        key.write_text(visitor.locator("#key").input_value())
        # The screenshot shows the CSR made; the key field is emptied first (it is never sent, and never pictured).
        visitor.locator("#key").evaluate("field => { field.value = '(saved)'; }")
        r.shot(visitor, "10-enrolment")
        pem = r.files / "enrolled.pem"
        fetch(visitor, visitor.get_by_role("button", name="送信して証明書を受け取る"), save_as=pem)
        subject = run(["openssl", "x509", "-in", str(pem), "-noout", "-subject"]).stdout
        assert "Browser Enrol" in subject, subject
        certificate_key = run(["openssl", "x509", "-in", str(pem), "-noout", "-pubkey"]).stdout
        browser_key = run(["openssl", "pkey", "-in", str(key), "-pubout"]).stdout
        assert certificate_key == browser_key, "the certificate carries the key made in the browser"
    r.step("DESK-44", "the enrolment page makes the key and CSR with WebCrypto and returns the certificate for that key", enrol, visitor)

    def downloads():
        page.goto(desk.base + "/")
        text = fetch(page, page.get_by_role("link", name="全証明書情報一括ダウンロード")).decode("cp932")
        rows = [row for row in text.split("\r\n") if row]
        assert all(len(row.split("\t")) == 46 for row in rows), "46 columns"
        assert r.state["serial"] in text and "www-browser.example.ac.jp" in text
        assert "sample-tech" not in text and "見本工業大学" not in text
        for label, marker in [("利用管理者情報ダウンロード", "cadmin@example.ac.jp"), ("許可リストダウンロード", "")]:
            body = fetch(page, page.get_by_role("link", name=label)).decode("cp932")
            assert marker in body, label
        page.get_by_role("link", name="発行証明書統計照会").click()
        expect(page.locator("table")).to_contain_text("example.ac.jp")
        chart = page.locator("figure img")
        expect(chart).to_be_visible()
        page.wait_for_function("() => { const chart = document.querySelector('figure img'); return chart.complete && chart.naturalWidth > 0; }")
        r.shot(page, "11-statistics")
        page.goto(desk.base + "/timestamp")
        expect(page.locator("code.url")).to_contain_text("http")
        r.shot(page, "12-timestamp")
    r.step("DESK-13", "downloads are the institution's own (46 columns, administrators, allow-list); statistics with chart; "
           "time-stamp URL", downloads, page)

    def dashboard():
        page.goto(desk.base + "/")
        section = page.locator("section.dashboard")
        expect(section).to_be_visible()
        expect(section).to_contain_text("30日以内に有効期限が切れる証明書")
        expect(section).to_contain_text("旧証明書の失効待ち")
        expect(section.get_by_role("link", name="server")).to_have_attribute("href", "/downloads/renewals?family=server")
        page.wait_for_function("() => { const chart = document.querySelector('section.dashboard figure img'); "
                               "return chart && chart.complete && chart.naturalWidth > 0; }")
        status = page.request.get(desk.base + "/api/status", headers={"X-BulkRA-API": "1"}).json()
        assert status["institutionID"] == "example-u" and len(status["expiriesPerWeek"]) == 12, status
        r.shot(page, "13-dashboard")
    r.step("DASH-03", "the first page is the dashboard: 30-day expiries with worksheet links, open links, scheduled revocations, "
           "renewals awaiting revocation and the weekly chart; /api/status says the same", dashboard, page)

    tech = officer_context(r, desk, browser, TECH)
    other = tech.new_page()

    def cross():
        response = other.goto(desk.base + "/")
        assert response.status == 200
        expect(other.locator("header")).to_contain_text("見本工業大学")
        for path in [f"/results/{r.state['batch']}", f"/certificates/{r.state['serial']}.pem",
                     f"/results/{r.state['batch']}/certificates.zip"]:
            response = other.goto(desk.base + path)
            assert response.status == 404, (path, response.status)
            expect(other.locator("main")).not_to_contain_text("www-browser")
        r.shot(other, "13-other-institution")
    r.step("DESK-12", "an officer of sample-tech gets 'not found' for example-u's result, certificate and ZIP", cross, other)

    plain = officer_context(r, desk, browser, RA1, java_script_enabled=False)
    nojs = plain.new_page()

    def without_script():
        nojs.goto(desk.base + "/server")
        nojs.set_input_files("#file", write_tsv(r, "server-nojs.tsv", [server_line(r, "www-nojs.example.ac.jp")]))
        nojs.get_by_role("button", name="申請する").click()
        expect(nojs.locator("p.summary")).to_contain_text("OK 1 行、NG 0 行。")
        assert nojs.locator("script").count() == 0, "no script on officer pages"
    r.step("DESK-30", "with JavaScript off the upload works the same (pages carry no script)", without_script, nojs)

    def logout():
        page.goto(desk.base + "/")
        page.get_by_role("button", name="ログアウト").click()
        expect(page.locator("h1")).to_contain_text("ログアウトしました")
        r.shot(page, "14-logout")
        database = sqlite3.connect(r.data / "registry.sqlite")
        count = database.execute("SELECT count(*) FROM audit_event WHERE event = 'desk-logout'").fetchone()[0]
        database.close()
        assert count >= 1, "desk-logout in the audit log"
    r.step("DESK-11", "the logout button records desk-logout in the audit log and says to close the browser", logout, page)


if __name__ == "__main__":
    sys.exit(main())
