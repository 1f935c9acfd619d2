# BulkRA — the two commands a fresh machine needs are `make run` and `make test`.
SHELL := /bin/bash
DATA ?= ./bulkra-data
SWIFT ?= swift
# Debug builds compile C (BoringSSL under swift-crypto, the small OpenSSL glue) optimised: service-made RSA keys and CA
# signatures in the tests and the demo then cost what they cost in the product, not 2–3× more (Swift code stays -Onone).
DEBUG_FLAGS := -Xcc -O2
# Release builds link the Swift runtime and Foundation into the binary (PERF-72): a command starts ≈ 9 ms sooner without
# the dynamic loader's symbol lookups into them, and the binary runs where no Swift toolchain is installed.
RELEASE_FLAGS := --static-swift-stdlib
BULKRA_DEBUG := .build/debug/bulkra
BULKRA_RELEASE := .build/release/bulkra
APT_PACKAGES := libsqlite3-dev zlib1g-dev libzstd-dev libgmp-dev libxml2-dev libmimalloc-dev pkg-config libssl-dev openssl time python3-venv curl postgresql certbot lego python3-dnslib libreoffice-calc-nogui
BROWSER_APT_PACKAGES := chromium fonts-ipafont-gothic libnss3-tools
PLAYWRIGHT_VERSION := 1.65.2

.PHONY: deps system-deps deps-browser build test test-browser run serve bench bench-check soak clean

VENV := .venv
PKILINT_VERSION := 0.13.3
OPENPYXL_VERSION := 3.1.5

## deps: install the system packages and the Python tools the build and the tests need (idempotent).
deps: system-deps $(VENV)/bin/lint_cabf_serverauth_cert
	@$(VENV)/bin/pip show openpyxl 2>/dev/null | grep -qx "Version: $(OPENPYXL_VERSION)" \
	  || $(VENV)/bin/pip install -q openpyxl==$(OPENPYXL_VERSION)

$(VENV)/bin/lint_cabf_serverauth_cert:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q pkilint==$(PKILINT_VERSION)

# Installs the Debian packages named in $(1) that are missing (apt-get update once, only when something is missing).
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "deps: system packages present ($(1))"; fi
endef

system-deps:
	$(call apt_install,$(APT_PACKAGES))

## deps-browser: what `make test-browser` adds — Chromium, a Japanese font and NSS tools from Debian, Playwright in the venv.
deps-browser: deps
	$(call apt_install,$(BROWSER_APT_PACKAGES))
	@$(VENV)/bin/pip show playwright 2>/dev/null | grep -qx "Version: $(PLAYWRIGHT_VERSION)" \
	  || $(VENV)/bin/pip install -q playwright==$(PLAYWRIGHT_VERSION)

build: deps
	$(SWIFT) build $(DEBUG_FLAGS)

## test: the whole suite (unit, rule, golden, property and CLI tests).
test: deps
	$(SWIFT) build $(DEBUG_FLAGS)
	$(SWIFT) test $(DEBUG_FLAGS)

## test-browser: the desk in headless Chromium (Playwright): log in with a PKCS#12, upload, read the results, use the one-time links; screenshots in build/screenshots/.
test-browser: deps-browser
	$(SWIFT) build $(DEBUG_FLAGS)
	$(VENV)/bin/python Tests/Browser/desk_browser_test.py --bulkra $(BULKRA_DEBUG) --work build/browser --screenshots build/screenshots

## soak: a few minutes of concurrent CLI submitters and desk uploads over overlapping files with seeded kill -9; then the doctor must pass and each identity hold one certificate.
soak: deps
	$(SWIFT) build $(DEBUG_FLAGS)
	python3 Tests/Soak/soak.py --bulkra $(BULKRA_DEBUG) --work build/soak $(SOAK_ARGS)

## run: the demo — a checked walk through every SampleData case into $(DATA).
run: deps
	$(SWIFT) build $(DEBUG_FLAGS)
	BULKRA=$(BULKRA_DEBUG) DATA=$(DATA) bash SampleData/demo.sh

## serve: the demo data (as make run), then the web desk on https://127.0.0.1:8443/ — prints which PKCS#12 to import.
serve: run
	@echo
	@echo "== the web desk: trust $(DATA)/ca/root.pem (TEST root) and import one officer's PKCS#12 into the browser with its PIN:"
	@for pin in $(DATA)/ra/*.pin.txt; do echo "   $${pin%.pin.txt}.p12   PIN $$(cat "$$pin")"; done
	@echo "   (ra1@example.ac.jp: example.ac.jp of Example University; ra@sample-tech.ac.jp: another institution)"
	$(BULKRA_DEBUG) serve --data $(DATA) --port $${PORT:-8443}

## bench-check: lines/s and peak memory of `bulkra check` on 10k and 100k server lines (P-256 CSRs).
bench-check: deps
	$(SWIFT) build -c release $(RELEASE_FLAGS)
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product BulkRABench
	.build/release/BulkRABench $(BULKRA_RELEASE) build/bench check

## bench: issuance (10k server lines under RSA-2048 and P-256 CAs, each against a two-process Python cryptography peer issuing the same certificates, 1k client lines with service-made keys), the nightly export over 100k certificates, a million certificates (46-column download, statistics on the CLI and the desk), the desk under 200 concurrent TLS uploads from 20 officers, the doctor, ACME orders/s (50 client accounts, http-01, SQLite and PostgreSQL), the lifecycle (a CRL of 100k serials against openssl ca, OCSP answers/s, the expiry scan of 1M certificates), workbooks (check of 100k server lines as .xlsx against TSV, the 100k-certificate download as .xlsx), then bench-check.
bench: deps
	$(SWIFT) build -c release $(RELEASE_FLAGS)
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product BulkRABench
	.build/release/BulkRABench $(BULKRA_RELEASE) build/bench all

clean:
	rm -rf .build $(DATA) build
