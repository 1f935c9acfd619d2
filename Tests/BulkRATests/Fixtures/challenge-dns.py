"""A DNS server for dns-01 tests: answers TXT queries from a JSON file ({"name.": ["value", ...]}) that the ACME client's
hook writes, SOA and NS for any name (one fake zone), nothing else. Usage: challenge-dns.py PORT RECORDS.json READY-FILE"""
import json, socketserver, sys
from dnslib import DNSRecord, RR, QTYPE, TXT, SOA, NS, RCODE

port, records_path, ready_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def records():
    try:
        with open(records_path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        try:
            query = DNSRecord.parse(data)
        except Exception:
            return
        reply = query.reply()
        name = str(query.q.qname).lower()
        if query.q.qtype == QTYPE.TXT:
            for value in records().get(name, []):
                reply.add_answer(RR(query.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=1))
        elif query.q.qtype == QTYPE.SOA:
            reply.add_answer(RR(query.q.qname, QTYPE.SOA, rdata=SOA("ns.test.", "admin.test.", (1, 60, 60, 60, 1)), ttl=1))
        elif query.q.qtype == QTYPE.NS:
            reply.add_answer(RR(query.q.qname, QTYPE.NS, rdata=NS("ns.test."), ttl=1))
        sock.sendto(reply.pack(), self.client_address)


server = socketserver.ThreadingUDPServer(("127.0.0.1", port), Handler)
with open(ready_path, "w") as f:
    f.write("ready\n")
server.serve_forever()
