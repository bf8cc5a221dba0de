# Slipkeeper — two commands: `make run` and `make test`. Both install what they need
# on Debian/Ubuntu first (scripts/bootstrap; quick when everything is there).

DEMO_DB := $(CURDIR)/.demo/journal.db
CARGO_FLAGS := --locked

.PHONY: run test bundle bootstrap ui lint rust-test ui-test e2e bench

bootstrap:
	@scripts/bootstrap

ui: bootstrap
	npm --prefix ui run build

## Opens the desktop app on a demo journal of its own (.demo/), with the built-in demo
## terminal running and demo payments arriving live.
run: ui
	cargo build $(CARGO_FLAGS) -p slipkeeper-cli -p slipkeeper-desktop
	target/debug/slipkeeper --db $(DEMO_DB) demo story
	SLIPKEEPER_DB=$(DEMO_DB) SLIPKEEPER_DEMO=1 target/debug/slipkeeper-desktop

## Everything CI checks.
test: ui lint rust-test ui-test e2e

lint: bootstrap
	cargo fmt --all --check
	cargo clippy $(CARGO_FLAGS) --workspace --all-targets -- -D warnings
	npm --prefix ui run check

rust-test: ui
	cargo test $(CARGO_FLAGS) --workspace

ui-test: ui
	npm --prefix ui test
	node ui/tests/screens.mjs

e2e: ui
	tests/e2e/run

## Installers the Tauri bundler offers on this platform (.deb and AppImage on Linux).
bundle: ui
	ui/node_modules/.bin/tauri build

## Criterion benchmarks (numbers go into BENCHMARKS.md).
bench:
	cargo bench $(CARGO_FLAGS) -p slipkeeper-journal -p slipkeeper-zvt -p slipkeeper-slip -p slipkeeper-app
