# Provisioning Desk — the two commands of the README:
#   make run    install what is missing, build, start the app on the training tenant
#   make test   install what is missing, run every test (Rust, UI, end-to-end, third-party peers)
# Everything is idempotent: a second run installs nothing and rebuilds only what changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
NPM ?= npm
# Every cargo call uses the same package selection and features, so nothing is rebuilt twice.
CARGO_FEATURES := --workspace --features provisioning-desk-e2e/e2e
APP := target/debug/provisioning-desk
TAURI_DRIVER_VERSION := 2.1.0

.PHONY: help run test deps system-deps toolchain ui-deps ui app tauri-driver \
        lint fmt-check clippy ui-check ui-test rust-test peers

help:
	@echo "make run   - build and start Provisioning Desk on the built-in training tenant"
	@echo "make test  - run every test (installs what is missing first)"

## ---- what the build and the tests need ------------------------------------------------------

system-deps:
	@scripts/install-system-deps.sh

toolchain:
	@command -v $(CARGO) >/dev/null || { echo "Rust is not installed: install it with rustup (https://rustup.rs), then run make again." >&2; exit 1; }
	@command -v node >/dev/null && command -v $(NPM) >/dev/null || { echo "Node.js 20 or newer is not installed: install Node.js and npm, then run make again." >&2; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 19)) { console.error("Node.js " + process.versions.node + " is too old: the UI build needs 20.19 or newer."); process.exit(1) }'

# Installs the UI's npm modules exactly as the lockfile says, only when the lockfile changed.
ui/node_modules/.installed: ui/package.json ui/package-lock.json
	cd ui && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

ui-deps: toolchain ui/node_modules/.installed

deps: system-deps ui-deps

tauri-driver:
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked --version $(TAURI_DRIVER_VERSION)

## ---- build -------------------------------------------------------------------------------------

ui: ui-deps
	cd ui && npx vite build --logLevel warn

app: deps ui
	$(CARGO) build $(CARGO_FEATURES)

## ---- run ---------------------------------------------------------------------------------------

run: app
	@if [ -z "$${DISPLAY:-}" ] && [ -z "$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "There is no display to open the window on; to run it headless use: xvfb-run -a -s '-screen 0 1280x800x24' $(APP)"; \
	  exit 1; \
	fi
	$(APP)

## ---- test --------------------------------------------------------------------------------------

fmt-check: toolchain
	$(CARGO) fmt --all -- --check

clippy: deps ui
	$(CARGO) clippy $(CARGO_FEATURES) --all-targets -- -D warnings

ui-check: ui-deps
	cd ui && npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --threshold warning

ui-test: ui-deps
	cd ui && npx vitest run

# Unit, integration and end-to-end tests in one cargo run: inside Xvfb and a D-Bus session with
# a real Secret Service, so the keychain test and the WebDriver tests run for real.
rust-test: app tauri-driver
	scripts/test-session.sh $(CARGO) test $(CARGO_FEATURES)

peers: app
	@if [ -x scripts/peers-graph.sh ]; then scripts/peers-graph.sh; fi

test: fmt-check ui-check ui-test clippy rust-test peers
