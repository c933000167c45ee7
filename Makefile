# Everyday recipes. `make test` is the whole test suite, and what CI runs (.ci/run).
.PHONY: demo test test-deps fmt lint lint-docker bench-import bench-search bench-nas bench-reimport bench-soak bench-myisam test-long fuzz

demo:
	cargo run --release -- demo

# The browser test drives Debian's Chromium through chromedriver, the feed tests validate with
# jing (RELAX NG), the replica test balances two servers with HAProxy: install them when missing.
test-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1 || ! command -v jing >/dev/null 2>&1 || ! PATH="$$PATH:/usr/sbin" command -v haproxy >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver jing haproxy >/dev/null; \
	  else echo "install chromium, chromium-driver, jing and haproxy for the browser, feed and replica tests" >&2; fi; \
	fi

test: test-deps lint-docker
	cargo fmt --all -- --check
	cargo clippy --all-targets --locked -- -D warnings
	# The fuzz targets are their own workspace: compile them (stable is enough), else an API
	# change breaks them unseen until someone fuzzes.
	cargo check --manifest-path fuzz/Cargo.toml --bins --locked
	cargo test --locked

fmt:
	cargo fmt --all

lint:
	cargo clippy --all-targets -- -D warnings

bench-import:
	bash bench/import.sh

bench-search:
	bash bench/search.sh

# hadolint and dclint on docker/ (installs them when missing).
lint-docker:
	bash docker/lint.sh

bench-nas:
	bash bench/nas.sh

bench-reimport:
	bash bench/reimport.sh

bench-soak:
	bash bench/soak.sh

bench-myisam:
	bash bench/myisam.sh

# The long reliability tests: more kills, bigger dumps, the 1 s latency bound.
test-long:
	LANSHELF_LONG_TESTS=1 cargo test --release --test reliability -- --nocapture

# Each fuzz target for FUZZ_SECONDS (default 300); needs the nightly toolchain and cargo-fuzz.
fuzz:
	cd fuzz && for t in dump_reader identifiers query_parser rar_archive myisam_table; do \
	  mkdir -p /tmp/lanshelf-corpus/$$t && \
	  cargo +nightly fuzz run $$t /tmp/lanshelf-corpus/$$t corpus/$$t -- -max_total_time=$${FUZZ_SECONDS:-300} -max_len=65536 || exit 1; \
	done
