#!/usr/bin/env python3
"""A small SMTP server for the MAIL-08 tests: STARTTLS, AUTH PLAIN/LOGIN, recipient rejection.

Prints the port it listens on as the first line of standard output, then stores every accepted
message as OUT/NNNN.eml with OUT/NNNN.json (envelope sender, recipients, TLS, login).
Standard library only (Python 3.11 has no smtpd module).
"""
import argparse
import base64
import json
import os
import signal
import socketserver
import ssl
import sys
import threading

counter_lock = threading.Lock()
counter = [0]


class Session(socketserver.BaseRequestHandler):
    def setup(self):
        self.buffer = b""
        self.tls = False
        self.login = None

    def send(self, line):
        self.request.sendall(line.encode() + b"\r\n")

    def readline(self):
        while b"\r\n" not in self.buffer:
            chunk = self.request.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def handle(self):
        options = self.server.options
        try:
            self.send("220 sink.test ESMTP ready")
            sender, recipients = None, []
            while True:
                line = self.readline().decode("ascii", "replace")
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    features = ["250-sink.test"]
                    if options.cert and not self.tls:
                        features.append("250-STARTTLS")
                    if options.user and (self.tls or not options.cert):
                        features.append("250-AUTH PLAIN LOGIN")
                    features.append("250 8BITMIME")
                    for feature in features:
                        self.send(feature)
                elif verb == "STARTTLS" and options.cert and not self.tls:
                    self.send("220 go ahead")
                    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    context.load_cert_chain(options.cert, options.key)
                    self.request = context.wrap_socket(self.request, server_side=True)
                    self.buffer = b""
                    self.tls = True
                elif verb == "AUTH":
                    parts = line.split(" ")
                    if parts[1].upper() == "PLAIN":
                        token = parts[2] if len(parts) > 2 else None
                        if token is None:
                            self.send("334 ")
                            token = self.readline().decode()
                        _, user, password = base64.b64decode(token).decode().split("\0")
                    else:
                        self.send("334 " + base64.b64encode(b"Username:").decode())
                        user = base64.b64decode(self.readline()).decode()
                        self.send("334 " + base64.b64encode(b"Password:").decode())
                        password = base64.b64decode(self.readline()).decode()
                    if user == options.user and password == options.password:
                        self.login = user
                        self.send("235 authenticated")
                    else:
                        self.send("535 authentication failed")
                elif verb == "MAIL":
                    if options.cert and not self.tls:
                        self.send("530 must issue STARTTLS first")
                    elif options.user and not self.login:
                        self.send("530 authentication required")
                    else:
                        sender = line.split(":", 1)[1].strip().split(" ")[0].strip("<>")
                        recipients = []
                        self.send("250 ok")
                elif verb == "RCPT":
                    address = line.split(":", 1)[1].strip().strip("<>")
                    if address in options.reject:
                        self.send("550 no such user")
                    else:
                        recipients.append(address)
                        self.send("250 ok")
                elif verb == "DATA":
                    if sender is None or not recipients:
                        self.send("503 bad sequence")
                        continue
                    self.send("354 end with .")
                    body = []
                    while True:
                        data = self.readline()
                        if data == b".":
                            break
                        body.append(data[1:] if data.startswith(b"..") else data)
                    with counter_lock:
                        counter[0] += 1
                        number = counter[0]
                    stem = os.path.join(options.out, "%04d" % number)
                    with open(stem + ".eml", "wb") as handle:
                        handle.write(b"".join(line + b"\r\n" for line in body))
                    with open(stem + ".json", "w") as handle:
                        json.dump({"from": sender, "to": recipients, "tls": self.tls, "login": self.login}, handle)
                    sender, recipients = None, []
                    self.send("250 queued as %04d" % number)
                elif verb == "RSET":
                    sender, recipients = None, []
                    self.send("250 ok")
                elif verb == "NOOP":
                    self.send("250 ok")
                elif verb == "QUIT":
                    self.send("221 bye")
                    return
                else:
                    self.send("502 not implemented")
        except (ConnectionError, ssl.SSLError, OSError):
            return


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--reject", action="append", default=[])
    options = parser.parse_args()
    # The test runner spawns us with SIGTERM blocked (the mask is inherited): unblock so terminate() works.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, set(signal.Signals))
    os.makedirs(options.out, exist_ok=True)
    server = Server(("127.0.0.1", 0), Session)
    server.options = options
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
