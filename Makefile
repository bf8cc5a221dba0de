# Slipkeeper — two commands: `make run` and `make test`. Both install what they need
# on Debian/Ubuntu first (scripts/bootstrap; quick when everything is there).

DEMO_DB := $(CURDIR)/.demo/journal.db
CARGO_FLAGS := --locked

.PHONY: run test bundle package-test bootstrap ui lint rust-test ui-test e2e bench

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
test: ui lint rust-test ui-test e2e package-test

lint: bootstrap
	cargo fmt --all --check
	cargo clippy $(CARGO_FLAGS) --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc $(CARGO_FLAGS) --workspace --no-deps
	npm --prefix ui run check

rust-test: ui
	cargo test $(CARGO_FLAGS) --workspace

ui-test: ui
	npm --prefix ui test
	node ui/tests/screens.mjs

e2e: ui
	tests/e2e/run

## The .deb (Linux; .msi/NSIS and .dmg on their platforms from the same config): the
## UI built once (`ui`), the CLI and link service beside the desktop app. PROFILE=debug
## makes a quick one for the package tests.
PROFILE ?= release
BUNDLES ?= deb
TAURI_PROFILE = $(if $(filter debug,$(PROFILE)),--debug,)
VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
bundle: ui
	cargo build $(CARGO_FLAGS) $(if $(filter debug,$(PROFILE)),,--release) -p slipkeeper-cli
	mkdir -p target/package && cp target/$(PROFILE)/slipkeeper target/package/slipkeeper
	ui/node_modules/.bin/tauri build $(TAURI_PROFILE) --no-bundle
	# Installed programs carry no symbol tables (Debian policy; lintian checks it).
	strip --strip-unneeded target/package/slipkeeper target/$(PROFILE)/slipkeeper-desktop
	# Debian's changelog for a native package, at the version Cargo.toml sets.
	printf 'slipkeeper (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- Slipkeeper <support@slipkeeper.app>  %s\n' \
	  "$(VERSION)" "$(VERSION)" "$$(date -R -u -d @$$(git log -1 --format=%ct 2>/dev/null || date +%s))" \
	  | gzip -n -9 > target/package/changelog.gz
	ui/node_modules/.bin/tauri bundle $(TAURI_PROFILE) --bundles $(BUNDLES)

## The package as a shop would get it, tested (tests/package/run).
package-test:
	$(MAKE) bundle PROFILE=debug
	tests/package/run target/debug/bundle/deb/*.deb

## Criterion benchmarks (numbers go into BENCHMARKS.md).
bench:
	cargo bench $(CARGO_FLAGS) -p slipkeeper-journal -p slipkeeper-zvt -p slipkeeper-slip -p slipkeeper-app
