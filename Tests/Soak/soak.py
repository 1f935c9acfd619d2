#!/usr/bin/env python3
"""make soak: several CLI submitters and desk uploads over the same and different client files, with seeded random
kill -9 of submitters; afterwards `bulkra doctor` must pass and every identity asked for must hold exactly one
certificate (Specs/registry.md REG-17, REG-18; Specs/doctor.md). Not part of `make test`: it runs a few minutes."""

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time

SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "SampleData")
EX = "O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"


def run(bulkra, *arguments, check=True, env=None):
    result = subprocess.run([bulkra, *arguments], cwd=SAMPLE, capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        sys.exit(f"soak: {' '.join(arguments[:2])} failed ({result.returncode}): {result.stderr}")
    return result


def client_line(index):
    # Method 2 (bulk ZIP, service-made key): the columns of Specs/client-tsv.md.
    return "\t".join([f"CN=User {index},OU=Faculty of Science,{EX}", "14", "2", "", "", "", "", "管理 次郎", "情報基盤センター",
                      "cadmin@example.ac.jp", f"利用者 {index}", f"NIIcert-{index}", "理学部", f"user{index}@example.ac.jp", ""])


def officer_pem(data, work):
    p12 = os.path.join(data, "ra", "ra1@example.ac.jp.p12")
    pin = open(os.path.join(data, "ra", "ra1@example.ac.jp.pin.txt")).read().strip()
    pem = os.path.join(work, "ra1.pem")
    subprocess.run(["openssl", "pkcs12", "-in", p12, "-passin", f"pass:{pin}", "-nodes", "-out", pem], check=True, capture_output=True)
    return pem


def start_desk(bulkra, data):
    desk = subprocess.Popen([bulkra, "serve", "--data", data, "--port", "0", "--maintenance-interval", "5"], cwd=SAMPLE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 60
    seen = ""
    while time.time() < deadline:
        line = desk.stdout.readline()
        seen += line
        match = re.search(r"127\.0\.0\.1:(\d+)/", seen)
        if match:
            return desk, int(match.group(1))
    desk.kill()
    sys.exit("soak: the desk did not start")


def desk_upload(port, data, pem, path):
    name = os.path.basename(path)
    return subprocess.Popen(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", os.path.join(data, "ca", "root.pem"),
                             "--cert", pem, "-H", "X-BulkRA-API: 1", "--data-binary", f"@{path}",
                             f"https://127.0.0.1:{port}/api/uploads?kind=client&operation=issue&mode=skip&name={name}"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bulkra", required=True)
    parser.add_argument("--work", default="build/soak")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--lines", type=int, default=60)
    args = parser.parse_args()
    bulkra = os.path.abspath(args.bulkra)
    work = os.path.abspath(args.work)
    data = os.path.join(work, "data")
    subprocess.run(["rm", "-rf", work], check=True)
    os.makedirs(work)
    rng = random.Random(args.seed)
    began = time.time()

    run(bulkra, "init", "--data", data)
    run(bulkra, "institutions", "apply", "institutions/institutions-valid.tsv", "--data", data, "--key-type", "p256")
    run(bulkra, "allowlist", "apply", "allowlist/allowlist-valid.tsv", "--institution", "example-u", "--data", data)
    pem = officer_pem(data, work)

    # Each round has its own files, overlapping by half with each other and with the round before:
    # file i of round r holds users [(r*files + i) * lines/2, … + lines).
    step = args.lines // 2
    asked = set()

    def round_files(round_number):
        paths = []
        for number in range(args.files):
            first = (round_number * args.files + number) * step
            path = os.path.join(work, f"round{round_number}-file{number}.tsv")
            with open(path, "w", encoding="utf-8", newline="") as handle:
                handle.write("".join(client_line(first + offset) + "\r\n" for offset in range(args.lines)))
            asked.update(range(first, first + args.lines))
            paths.append(path)
        return paths

    desk, port = start_desk(bulkra, data)
    counts = {"cli": 0, "killed": 0, "desk": 0, "desk_failed": 0, "doctor_runs": 0}
    try:
        every_file = []
        for round_number in range(args.rounds):
            files = round_files(round_number)
            every_file += files
            running = []
            for _ in range(rng.randint(4, 7)):
                path = rng.choice(files + every_file[-2 * args.files:])
                if rng.random() < 0.35:
                    running.append(("desk", desk_upload(port, data, pem, path), None))
                    counts["desk"] += 1
                else:
                    out = os.path.join(work, f"out-{round_number}-{len(running)}")
                    process = subprocess.Popen([bulkra, "submit", path, "--data", data, "--institution", "example-u", "--family", "client",
                                                "--operation", "issue", "--out", out, "--key-type", "p256", "--on-error", "skip"],
                                               cwd=SAMPLE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    kill_at = time.time() + rng.uniform(0.02, 0.8) if rng.random() < 0.5 else None
                    running.append(("cli", process, kill_at))
                    counts["cli"] += 1
            while any(process.poll() is None for _, process, _ in running):
                for kind, process, kill_at in running:
                    if kind == "cli" and kill_at and process.poll() is None and time.time() >= kill_at:
                        process.send_signal(signal.SIGKILL)
                        counts["killed"] += 1
                time.sleep(0.01)
            for kind, process, _ in running:
                if kind == "desk":
                    status = process.stdout.read().strip()
                    if status not in ("200", "422"):
                        counts["desk_failed"] += 1
            if round_number % 4 == 3:
                doctor = run(bulkra, "doctor", "--data", data, check=False)
                counts["doctor_runs"] += 1
                if doctor.returncode != 0:
                    sys.exit(f"soak: doctor failed after round {round_number}:\n{doctor.stdout}{doctor.stderr}")
        # Every file once more, to completion: killed submitters may have left files unapplied.
        for path in every_file:
            run(bulkra, "submit", path, "--data", data, "--institution", "example-u", "--family", "client", "--operation", "issue",
                "--out", os.path.join(work, "out-final"), "--key-type", "p256", "--on-error", "skip", check=False)
    finally:
        desk.terminate()
        desk.wait()

    started = time.time()
    doctor = run(bulkra, "doctor", "--data", data, check=False)
    doctor_seconds = time.time() - started
    database = sqlite3.connect(os.path.join(data, "registry.sqlite"))
    certificates, distinct = database.execute(
        "SELECT COUNT(*), COUNT(DISTINCT identity) FROM certificate WHERE family = 'client'").fetchone()
    batches = database.execute("SELECT COUNT(*) FROM batch WHERE kind = 'client' AND applied = 1").fetchone()[0]
    pending = database.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
    mails = len([name for name in os.listdir(os.path.join(data, "outbox")) if name.endswith(".eml")])
    identities = len(asked)
    report = {"seed": args.seed, "rounds": args.rounds, "cli_submitters": counts["cli"], "killed": counts["killed"],
              "desk_uploads": counts["desk"], "desk_failed": counts["desk_failed"], "doctor_runs_during": counts["doctor_runs"],
              "identities_asked": identities, "client_certificates": certificates, "distinct_identities": distinct,
              "applied_batches": batches, "pending_deliveries": pending, "mails": mails, "doctor_exit": doctor.returncode,
              "doctor_seconds": round(doctor_seconds, 2), "elapsed_seconds": round(time.time() - began, 1)}
    print(json.dumps(report, ensure_ascii=False))
    failures = []
    if doctor.returncode != 0:
        failures.append("doctor:\n" + doctor.stdout)
    if certificates != identities or distinct != identities:
        failures.append(f"{certificates} certificates for {distinct} identities; {identities} asked for")
    if counts["desk_failed"]:
        failures.append(f"{counts['desk_failed']} desk uploads failed")
    if pending:
        failures.append(f"{pending} deliveries still pending")
    if failures:
        sys.exit("soak: FAILED\n" + "\n".join(failures))
    print("soak: passed")


if __name__ == "__main__":
    main()
